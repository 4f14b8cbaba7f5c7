using System.Text.Json;

namespace Scalpaiboard.Alerts.Model;

/// <summary>A stored signal as the API, the live channel and webhooks show it.</summary>
public sealed record SignalDto(long Id, string Symbol, string Type, long OpenTime, DateTimeOffset Time, double? Price, JsonElement Metrics)
{
    /// <summary>NaN/infinite prices (never expected) are shown as null rather than breaking JSON.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

public sealed record SignalPage(IReadOnlyList<SignalDto> Signals, long Total, int Limit, int Offset);

public sealed record PresetDto(string Key, string DisplayName, string Description, IReadOnlyDictionary<string, double> Thresholds);

public sealed record PresetList(IReadOnlyList<PresetDto> Presets, int CooldownMinutes);

/// <summary>The live frame every WebSocket client gets: <c>{"type","channel","ts","data"}</c>.</summary>
public sealed record LiveFrame<T>(string Type, string Channel, long Ts, T Data);

public static class SystemSignalTypes
{
    public const string StaleData = "system_stale_data";
}
