using System.Globalization;
using System.Text.Json;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Cli.Backtests;

/// <summary>The files <c>scalp backtest</c> writes, in BACKTEST.md's layout.</summary>
public static class BacktestFiles
{
    public const string TradesHeader = "symbol,rule,side,entry_time,entry_price,exit_time,exit_price,reason,return,r_multiple";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>
    /// <c>trades.csv</c>: the header, then one row per trade in the given order; times Unix ms, prices and returns as
    /// the shortest text that reads back as the same double.
    /// </summary>
    public static void WriteTrades(IReadOnlyList<BacktestTrade> trades, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(writer);
        var i = CultureInfo.InvariantCulture;
        writer.Write(TradesHeader);
        writer.Write('\n');
        foreach (var t in trades)
        {
            writer.Write(t.Symbol);
            writer.Write(',');
            writer.Write(t.Rule.Key());
            writer.Write(',');
            writer.Write(t.Side.Key());
            writer.Write(',');
            writer.Write(t.EntryTime.ToString(i));
            writer.Write(',');
            writer.Write(t.EntryPrice.ToString("R", i));
            writer.Write(',');
            writer.Write(t.ExitTime.ToString(i));
            writer.Write(',');
            writer.Write(t.ExitPrice.ToString("R", i));
            writer.Write(',');
            writer.Write(t.Reason.Key());
            writer.Write(',');
            writer.Write(t.Return.ToString("R", i));
            writer.Write(',');
            writer.Write(t.RMultiple.ToString("R", i));
            writer.Write('\n');
        }
    }

    /// <summary><c>summary.json</c>: the statistics under BACKTEST.md's field names, null where it says null.</summary>
    public static void WriteSummary(BacktestSummary summary, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(summary);
        JsonSerializer.Serialize(stream, summary, Json);
        stream.WriteByte((byte)'\n');
    }
}
