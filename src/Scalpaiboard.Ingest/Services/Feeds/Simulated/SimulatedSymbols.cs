namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>A simulated symbol: a familiar USDT perpetual with a plausible starting price and 24 h quote volume.</summary>
public sealed record SimulatedSymbol(string Symbol, double BasePrice, double DailyQuoteVolume);

public static class SimulatedSymbols
{
    /// <summary>The 50 best-known USDT-margined perpetuals, biggest first.</summary>
    public static readonly SimulatedSymbol[] All =
    [
        new("BTCUSDT", 95_000, 15e9), new("ETHUSDT", 3_400, 8e9), new("SOLUSDT", 190, 3e9), new("BNBUSDT", 650, 6e8),
        new("XRPUSDT", 2.3, 2e9), new("DOGEUSDT", 0.32, 1.5e9), new("ADAUSDT", 0.95, 6e8), new("AVAXUSDT", 38, 5e8),
        new("LINKUSDT", 22, 5e8), new("DOTUSDT", 7.5, 3e8), new("TRXUSDT", 0.25, 2e8), new("SUIUSDT", 3.5, 8e8),
        new("LTCUSDT", 105, 4e8), new("BCHUSDT", 450, 3e8), new("NEARUSDT", 5.5, 3e8), new("UNIUSDT", 12, 2.5e8),
        new("ATOMUSDT", 7, 1.5e8), new("APTUSDT", 10, 2e8), new("ARBUSDT", 0.8, 2.5e8), new("OPUSDT", 2, 2e8),
        new("FILUSDT", 5.5, 1.5e8), new("ETCUSDT", 27, 1.5e8), new("INJUSDT", 25, 1.5e8), new("SEIUSDT", 0.45, 1.5e8),
        new("TIAUSDT", 5, 1.2e8), new("WIFUSDT", 2.5, 4e8), new("1000PEPEUSDT", 0.018, 8e8), new("1000SHIBUSDT", 0.022, 1.5e8),
        new("AAVEUSDT", 300, 3e8), new("MKRUSDT", 1_800, 8e7), new("LDOUSDT", 1.8, 1e8), new("RUNEUSDT", 5, 1e8),
        new("FTMUSDT", 0.7, 2e8), new("HBARUSDT", 0.28, 2e8), new("ICPUSDT", 10, 1e8), new("XLMUSDT", 0.4, 1.5e8),
        new("VETUSDT", 0.045, 6e7), new("ALGOUSDT", 0.35, 6e7), new("SANDUSDT", 0.55, 6e7), new("MANAUSDT", 0.5, 4e7),
        new("GALAUSDT", 0.04, 8e7), new("AXSUSDT", 7, 4e7), new("APEUSDT", 1.3, 6e7), new("CRVUSDT", 0.9, 1e8),
        new("ORDIUSDT", 35, 1.5e8), new("WLDUSDT", 2.5, 2e8), new("JUPUSDT", 1, 1e8), new("ENAUSDT", 0.9, 2.5e8),
        new("TAOUSDT", 450, 1.5e8), new("POLUSDT", 0.5, 2e8),
    ];
}
