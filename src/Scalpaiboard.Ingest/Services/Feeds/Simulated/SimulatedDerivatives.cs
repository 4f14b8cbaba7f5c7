using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>
/// The simulated market's derivatives, driven by its minutes (docs/ingest.md, "Simulated derivatives"). Every 5
/// minutes the block's return, quote volume and taker volumes move a few slow states per symbol: the recent move (1 h
/// and 8 h half-lives), the open-interest level (grows with the trend and with volume above the usual, pulled back with
/// an 8 h half-life), the premium (a per-symbol bias plus the move) whose average over the funding interval gives the
/// funding rate by Binance's formula. Liquidations come with each closed minute, from its move: bursts on the side a
/// sharp move hurts, a few small ones otherwise, at most one per symbol per second. Deterministic for (seed, start):
/// the random draws are keyed by (seed, symbol, block, minute or second), and a symbol starts (or restarts) by running
/// its states over the <see cref="WarmUpMinutes"/> before, from <see cref="SimulatedMarket.Flow"/>, so a restart
/// continues where the run left off. Not thread-safe: the feed loop calls it.
/// </summary>
public sealed class SimulatedDerivatives
{
    /// <summary>Minutes of flow a symbol's states run over before its first minute (the slow states' 8 h half-life, nine times).</summary>
    public const int WarmUpMinutes = 3 * 1440;

    /// <summary>Funding rates are capped there (Binance's usual ±0.75 %).</summary>
    public const double MaxFundingRate = 0.0075;

    private const long BlockMinutes = 5;
    private const long FundingMinutes = 8 * 60;
    private const long FundingMs = FundingMinutes * Candle.MinuteMs;
    private const double Interest = 0.0001; // Binance's interest component per 8 h

    // Half-lives in 5-minute blocks: the recent move over about an hour, the trend and the pull-back over 8 hours.
    private static readonly double FastDecay = Math.Pow(2, -1.0 / 12);
    private static readonly double SlowDecay = Math.Pow(2, -1.0 / 96);

    private const double OiPerTrend = 2;           // level target per unit of |8 h move| (a ±9 %/day trend: about +9 %)
    private const double OiPerExcessVolume = 0.0025; // per block-volume above the usual (a surge hour: about +9 %)
    private const double OiNoise = 0.002;
    private const double CrowdFade = 12;           // the accounts' long/short ratio against the move
    private const double TopFollow = 15;           // the top traders' with it
    private const double LiquidationsPerSecond = 0.0012; // the quiet rate: about four an hour
    private const double SharpMove = 2.5;          // a minute's |return| in quiet-minute deviations where bursts start

    private const ulong TraitSalt = 0xD3E1_7A11_5EED_0001UL;
    private const ulong BlockSalt = 0xD3E1_7A11_5EED_0002UL;
    private const ulong MarkSalt = 0xD3E1_7A11_5EED_0003UL;
    private const ulong LiquidationSalt = 0xD3E1_7A11_5EED_0004UL;

    private readonly ulong _seed;
    private readonly Traits[] _traits;
    private readonly State[] _states;

    public SimulatedDerivatives(SimulatedMarket market, int seed)
    {
        Market = market;
        _seed = (ulong)seed;
        _traits = new Traits[market.Symbols.Count];
        _states = new State[market.Symbols.Count];
        for (var i = 0; i < _traits.Length; i++)
        {
            var info = market.Symbols[i];
            var rng = new SplitMix(SplitMix.Mix(_seed ^ TraitSalt, (ulong)i));
            _traits[i] = new Traits(
                // Open interest: about 0.6 to 1.4 days of volume, in contracts.
                Contracts: info.DailyQuoteVolume / info.BasePrice * (0.6 + (0.8 * rng.NextDouble())),
                // Most premiums sit in the formula's flat band (funding 0.01 %); the tails pay or earn more.
                PremiumBias: Interest + (0.00045 * rng.NextGaussian()),
                CrowdBias: Math.Log(1.05 + (1.45 * rng.NextDouble())),
                TopBias: Math.Log(0.85 + (0.5 * rng.NextDouble())),
                UsualBlockQuote: info.DailyQuoteVolume / (1440 / BlockMinutes));
            _states[i].Next = long.MinValue;
        }
    }

    public SimulatedMarket Market { get; }

    /// <summary>
    /// The samples of a closed 1m candle of <paramref name="symbol"/>, appended to <paramref name="output"/> (all
    /// known by its close): its liquidations, the 5-minute open-interest sample and the 8-hour funding settlement when it
    /// closes one, and the mark price at its close.
    /// </summary>
    public void OnClosed(int symbol, in Candle candle, List<DerivativesUpdate> output)
    {
        var minute = candle.OpenTime / Candle.MinuteMs;
        var ret = Math.Log(candle.Close / candle.Open);
        Liquidations(symbol, candle, ret, output);
        Advance(symbol, minute, ret, candle.QuoteVolume, candle.TakerBuyQuoteVolume, candle.Close, output);
        output.Add(Mark(symbol, candle.OpenTime + Candle.MinuteMs, candle.Close));
    }

    /// <summary>The mark-price stream of <paramref name="symbol"/> at <paramref name="time"/> (Unix ms) with the last price <paramref name="price"/>.</summary>
    public DerivativesUpdate Mark(int symbol, long time, double price)
    {
        ref var s = ref _states[symbol];
        if (s.Next == long.MinValue)
        {
            WarmUp(symbol, time / Candle.MinuteMs);
        }
        // Last trades above the index when the premium is positive; the mark sits near the index.
        var rng = new SplitMix(SplitMix.Mix(_seed ^ MarkSalt, (ulong)(((time / 1000) * 64) + symbol)));
        var mark = SimulatedMarket.RoundPrice(price * (1 - (0.5 * s.Premium) + (0.0001 * rng.NextGaussian())));
        return DerivativesUpdate.Of(Market.Symbols[symbol].Symbol, new MarkPriceSample(time, mark, s.Rate, NextFundingTime(time)));
    }

    /// <summary>
    /// Moves <paramref name="symbol"/>'s states by one minute (a warm-up first when it does not continue the last
    /// one); when the minute closes a 5-minute block, appends the open-interest sample priced at
    /// <paramref name="closePrice"/>, and at an 8-hour boundary the funding settlement (nothing when
    /// <paramref name="output"/> is null).
    /// </summary>
    public void Advance(int symbol, long minute, double ret, double quote, double takerBuyQuote, double closePrice, List<DerivativesUpdate>? output)
    {
        ref var s = ref _states[symbol];
        if (s.Next != minute)
        {
            WarmUp(symbol, minute);
        }
        s.Next = minute + 1;
        s.BlockReturn += ret;
        s.BlockQuote += quote;
        s.BlockTakerBuy += takerBuyQuote;
        if (s.Next % BlockMinutes != 0)
        {
            return;
        }
        ref readonly var t = ref _traits[symbol];
        var end = s.Next * Candle.MinuteMs;
        var rng = new SplitMix(SplitMix.Mix(_seed ^ BlockSalt, (ulong)(((s.Next / BlockMinutes) * 64) + symbol)));
        s.FastMove = (FastDecay * s.FastMove) + s.BlockReturn;
        s.SlowMove = (SlowDecay * s.SlowMove) + s.BlockReturn;
        var excessVolume = Math.Max(0, (s.BlockQuote / t.UsualBlockQuote) - 1);
        var target = OiPerTrend * Math.Abs(s.SlowMove);
        s.OiLevel = target + (SlowDecay * (s.OiLevel - target)) + (OiPerExcessVolume * excessVolume) + (OiNoise * rng.NextGaussian());
        s.CrowdNoise = (0.9 * s.CrowdNoise) + (0.03 * rng.NextGaussian());
        s.TopNoise = (0.9 * s.TopNoise) + (0.03 * rng.NextGaussian());
        s.Premium = t.PremiumBias + (0.02 * s.SlowMove) + (0.01 * s.FastMove) + (0.00008 * rng.NextGaussian());
        s.PremiumSum += s.Premium;
        s.PremiumCount++;
        s.Rate = FundingRate(s.PremiumSum / s.PremiumCount);
        if (output is not null)
        {
            var move = s.FastMove + (0.25 * s.SlowMove);
            var contracts = Math.Round(t.Contracts * Math.Exp(s.OiLevel), 3);
            var takerSell = s.BlockQuote - s.BlockTakerBuy;
            output.Add(DerivativesUpdate.Of(Market.Symbols[symbol].Symbol, new OpenInterestSample(
                end,
                contracts,
                Math.Round(contracts * closePrice, 2),
                Math.Round(Math.Exp(t.CrowdBias - (CrowdFade * move) + s.CrowdNoise), 4),
                Math.Round(Math.Exp(t.TopBias + (TopFollow * move) + s.TopNoise), 4),
                s.BlockTakerBuy > 0 && takerSell > 0 ? Math.Round(s.BlockTakerBuy / takerSell, 4) : double.NaN)));
        }
        s.BlockReturn = s.BlockQuote = s.BlockTakerBuy = 0;
        if (s.Next % FundingMinutes == 0)
        {
            output?.Add(DerivativesUpdate.Of(Market.Symbols[symbol].Symbol, new FundingSample(end, s.Rate)));
            s.PremiumSum = 0;
            s.PremiumCount = 0;
        }
    }

    /// <summary>Binance's funding formula: the average premium plus the interest rate's difference to it, clamped to ±0.05 %.</summary>
    public static double FundingRate(double averagePremium) =>
        Math.Round(Math.Clamp(averagePremium + Math.Clamp(Interest - averagePremium, -0.0005, 0.0005), -MaxFundingRate, MaxFundingRate), 8);

    /// <summary>The next funding time after <paramref name="time"/>: 00:00, 08:00 or 16:00 UTC.</summary>
    public static long NextFundingTime(long time) => ((time / FundingMs) + 1) * FundingMs;

    /// <summary>
    /// The forced orders of a closed minute, at most one a second: on a move of more than <see cref="SharpMove"/>
    /// quiet-minute deviations, likely (up to 85 % a second) and sized by the move and the minute's volume (a 12-deviation
    /// minute liquidates about a tenth of its volume), on the side the move hurts (a drop liquidates longs); otherwise
    /// now and then a small one on either side.
    /// </summary>
    private void Liquidations(int symbol, in Candle candle, double ret, List<DerivativesUpdate> output)
    {
        var sharpness = Math.Abs(ret) / SimulatedMarket.Noise;
        var burst = sharpness > SharpMove ? Math.Min(0.85, 0.07 * (sharpness - SharpMove)) : 0;
        var hurt = ret < 0 ? LiquidationSide.Long : LiquidationSide.Short;
        var firstSecond = candle.OpenTime / 1000;
        var rng = new SplitMix(SplitMix.Mix(_seed ^ LiquidationSalt, (ulong)(((candle.OpenTime / Candle.MinuteMs) * 64) + symbol)));
        // A draw per second, each a liquidation with probability p: the seconds between two are geometric, so a quiet
        // minute costs a draw or two rather than sixty.
        var p = burst + LiquidationsPerSecond;
        var logMiss = Math.Log(1 - p);
        for (var k = SecondsToNext(ref rng, logMiss); k < 60; k += 1 + SecondsToNext(ref rng, logMiss))
        {
            LiquidationSide side;
            double notional;
            if (rng.NextDouble() * p < burst)
            {
                side = hurt;
                notional = candle.QuoteVolume * 0.0015 * Math.Sqrt(sharpness / 3) * Math.Exp((0.6 * rng.NextGaussian()) - 0.18);
            }
            else
            {
                side = rng.NextDouble() < 0.5 ? LiquidationSide.Long : LiquidationSide.Short;
                notional = candle.QuoteVolume * 0.002 * Math.Exp((0.8 * rng.NextGaussian()) - 0.32);
            }
            var price = SimulatedMarket.RoundPrice(candle.Open * Math.Exp(ret * (k + 0.5) / 60));
            var step = QuantityStep(price);
            var quantity = Math.Round(Math.Max(1, Math.Round(notional / price / step)) * step, 6);
            var time = ((firstSecond + k) * 1000) + (long)(rng.NextUInt64() % 1000);
            output.Add(DerivativesUpdate.Of(Market.Symbols[symbol].Symbol, new Liquidation(time, side, price, quantity)));
        }
    }

    /// <summary>Seconds without a liquidation before the next (geometric, at most 60): <paramref name="logMiss"/> is ln(1 - p).</summary>
    private static int SecondsToNext(ref SplitMix rng, double logMiss) => (int)Math.Min(60, Math.Floor(Math.Log(1 - rng.NextDouble()) / logMiss));

    /// <summary>An order-quantity step like Binance's: 0.001 for the dear coins, up to 1 for the cheap ones.</summary>
    private static double QuantityStep(double price) => Math.Clamp(Math.Pow(10, Math.Floor(Math.Log10(1 / price))), 0.001, 1);

    /// <summary>Runs <paramref name="symbol"/>'s states from scratch over the <see cref="WarmUpMinutes"/> before <paramref name="minute"/>.</summary>
    private void WarmUp(int symbol, long minute)
    {
        ref var s = ref _states[symbol];
        s = default;
        s.Next = minute - WarmUpMinutes;
        for (var m = s.Next; m < minute; m++)
        {
            var flow = Market.Flow(symbol, m);
            Advance(symbol, m, flow.Return, flow.QuoteVolume, flow.QuoteVolume * flow.TakerShare, double.NaN, null);
        }
    }

    private readonly record struct Traits(double Contracts, double PremiumBias, double CrowdBias, double TopBias, double UsualBlockQuote);

    private struct State
    {
        /// <summary>The next minute to advance (Unix minutes), <see cref="long.MinValue"/> before the first.</summary>
        public long Next;
        public double BlockReturn, BlockQuote, BlockTakerBuy;
        public double FastMove, SlowMove, OiLevel, CrowdNoise, TopNoise;
        public double Premium, PremiumSum, Rate;
        public int PremiumCount;
    }
}
