using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Services.Engine;

/// <summary>
/// The seam to the market engine for preset signals: <see cref="PresetEvaluator"/> with thresholds bound from
/// <c>Alerts:Presets:*</c> (defaults = SIGNALS.md) and <see cref="SignalCooldown"/>, seeded from the stored signals.
/// The same code `scalp scan` runs, so the live signal set equals the scan's. Used only by the consumer's single
/// processing loop (not thread-safe, like the cooldown it wraps).
/// </summary>
public sealed class PresetRules
{
    public const string ThresholdsSection = "Alerts:Presets";

    private readonly PresetEvaluator _evaluator;
    private readonly TimeSpan _cooldown;
    private SignalCooldown _cooldownState;

    public PresetRules(IOptions<AlertsOptions> options, IConfiguration configuration)
    {
        var thresholds = new PresetThresholds();
        configuration.GetSection(ThresholdsSection).Bind(thresholds);
        var bad = thresholds.Validate();
        if (bad.Count > 0)
        {
            throw new OptionsValidationException(ThresholdsSection, typeof(PresetThresholds),
                [$"{ThresholdsSection}: not a finite number: {string.Join(", ", bad.Select(b => $"{ThresholdsSection}:{b}"))}"]);
        }
        _evaluator = new PresetEvaluator(thresholds);
        _cooldown = TimeSpan.FromMinutes(options.Value.CooldownMinutes);
        _cooldownState = new SignalCooldown(_cooldown);
    }

    public long CooldownMs => (long)_cooldown.TotalMilliseconds;

    /// <summary>Evaluates the ten presets on a closed candle and applies the cooldown; adds the presets that fire.</summary>
    public void Fire(MetricsSnapshot snapshot, List<PresetType> fired)
    {
        var held = _evaluator.Evaluate(snapshot);
        if (held.IsEmpty)
        {
            return;
        }
        foreach (var type in _cooldownState.For(snapshot.Symbol).Fire(held, snapshot.OpenTime))
        {
            fired.Add(type);
        }
    }

    /// <summary>Forgets all cooldown state and seeds it with the last stored fire per (symbol, type).</summary>
    public void Reset(IEnumerable<(string Symbol, string Type, long OpenTime)> lastFires)
    {
        var state = new SignalCooldown(_cooldown);
        foreach (var (symbol, type, openTime) in lastFires)
        {
            if (PresetTypes.TryParse(type, out var preset))
            {
                state.Seed(symbol, preset, openTime);
            }
        }
        _cooldownState = state;
    }

    public IReadOnlyList<PresetDto> Describe()
    {
        var t = _evaluator.Thresholds;
        object[] groups = [t.BigBull60, t.BigBear60, t.PioneerBull, t.PioneerBear, t.FiveBigBull, t.FiveBigBear,
            t.FifteenBigBull, t.FifteenBigBear, t.BottomHunter, t.TopHunter];
        var list = new List<PresetDto>(PresetTypes.Count);
        for (var i = 0; i < PresetTypes.Count; i++)
        {
            var thresholds = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in groups[i].GetType().GetProperties())
            {
                if (p.PropertyType == typeof(double) && p.GetValue(groups[i]) is double d)
                {
                    thresholds[char.ToLowerInvariant(p.Name[0]) + p.Name[1..]] = d;
                }
            }
            list.Add(new PresetDto(PresetTypes.Keys[i], PresetTypes.DisplayNames[i], PresetDescriptions.Text[i], thresholds));
        }
        return list;
    }
}
