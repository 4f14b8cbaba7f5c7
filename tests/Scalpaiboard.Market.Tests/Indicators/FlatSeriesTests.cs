using Scalpaiboard.Market.Indicators;
using static Scalpaiboard.Market.Tests.Indicators.Run;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>A price that never moves: every division-by-zero rule, in both forms.</summary>
public sealed class FlatSeriesTests
{
    private static readonly Quote[] Flat = Enumerable.Range(0, 60)
        .Select(i => new Quote(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i), 100, 100, 100, 100, 1000))
        .ToArray();

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Adx_has_no_values_when_the_true_range_is_zero(Form form)
    {
        var r = Results(form, Flat, q => Adx.Calculate(q, 14), () => new Adx(14).Add);
        Assert.All(r, x => Assert.Equal(default, x));
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Bands_and_oscillators_follow_the_reference_zero_rules(Form form)
    {
        var bb = Results(form, Flat, q => BollingerBands.Calculate(q), () => new BollingerBands().Add);
        Assert.Equal(100, bb[59].Sma);
        Assert.Equal(100, bb[59].UpperBand);
        Assert.Null(bb[59].PercentB);
        Assert.Null(bb[59].ZScore);
        Assert.Equal(0, bb[59].Width);

        var stoch = Results(form, Flat, q => Stoch.Calculate(q), () => new Stoch().Add);
        Assert.Equal(0, stoch[59].Oscillator);
        var wr = Results(form, Flat, q => WilliamsR.Calculate(q), () => new WilliamsR().Add);
        Assert.Equal(-100, wr[59].WilliamsR);
        var cci = Results(form, Flat, q => Cci.Calculate(q), () => new Cci().Add);
        Assert.Null(cci[59].Cci);
        var rsi = Results(form, Flat, q => Rsi.Calculate(q), () => new Rsi().Add);
        Assert.Equal(100, rsi[59].Rsi);
        var vcp = Results(form, Flat, q => Vcp.Calculate(q), () => new Vcp().Add);
        Assert.Equal(0, vcp[59].Vcp);
    }
}
