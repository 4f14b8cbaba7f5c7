using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Services.Engine;

// SEAM (market engine, not merged yet): compiled only while src/Scalpaiboard.Market/Signals/PresetEvaluator.cs
// is missing (see the csproj). Fires nothing. PresetRules.cs (the real one) takes over when the engine is merged.
public sealed class PresetRules(Microsoft.Extensions.Options.IOptions<AlertsOptions> options)
{
    public long CooldownMs => options.Value.CooldownMinutes * 60_000L;

    public void Fire(MetricsSnapshot snapshot, List<PresetType> fired)
    {
    }

    public void Reset(IEnumerable<(string Symbol, string Type, long OpenTime)> lastFires)
    {
    }

    public IReadOnlyList<PresetDto> Describe() => PresetTypes.Keys
        .Select((k, i) => new PresetDto(k, PresetTypes.DisplayNames[i], PresetDescriptions.Text[i], new Dictionary<string, double>()))
        .ToList();
}
