using Scalpaiboard.Market.Indicators;
using static Scalpaiboard.Market.Tests.Indicators.Run;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// Pivot points as Skender.Stock.Indicators v2 asserts them (PivotPoints.Tests.cs), batch and streaming.
/// Its TestData.GetDefault(38) / GetIntraday(300) are the LAST 38 / 300 bars of the data sets.
/// </summary>
public sealed class PivotPointsReferenceTests
{
    private static PivotPointsResult[] Pivots(Form form, IReadOnlyList<Quote> quotes, PivotWindow window, PivotPointType type) =>
        Results(form, quotes, q => PivotPoints.Calculate(q, window, type), () => new PivotPoints(window, type).Add);

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Standard_monthly(Form form)
    {
        var r = Pivots(form, TestQuotes.Default, PivotWindow.Month, PivotPointType.Standard);
        Assert.Equal(482, r.Count(x => x.PP != null));
        Assert.Equal(default, r[19]);
        Expect(r[20], pp: 214.5000, s1: 211.9800, s2: 209.0000, s3: 206.4800, r1: 217.4800, r2: 220.0000, r3: 222.9800);
        Expect(r[149], pp: 233.6400, s1: 230.8100, s2: 226.3300, s3: 223.5000, r1: 238.1200, r2: 240.9500, r3: 245.4300);
        Expect(r[250], pp: 251.2767, s1: 247.6133, s2: 241.2867, s3: 237.6233, r1: 257.6033, r2: 261.2667, r3: 267.5933);
        Expect(r[251], pp: 255.1967, s1: 251.6933, s2: 246.3667, s3: 242.8633, r1: 260.5233, r2: 264.0267, r3: 269.3533);
        Expect(r[501], pp: 266.6767, s1: 258.9633, s2: 248.9667, s3: 241.2533, r1: 276.6733, r2: 284.3867, r3: 294.3833);
        Assert.Null(r[501].R4);
        Assert.Null(r[501].S4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Camarilla_weekly(Form form)
    {
        var r = Pivots(form, TestQuotes.Default[^38..], PivotWindow.Week, PivotPointType.Camarilla);
        Assert.Equal(33, r.Count(x => x.PP != null));
        Assert.Equal(default, r[4]);
        Expect(r[5], pp: 271.0200, s1: 270.13725, s2: 269.2545, s3: 268.3718, r1: 271.9028, r2: 272.7855, r3: 273.66825, digits: 4, s4: 265.7235, r4: 276.3165);
        Expect(r[22], pp: 268.9600, s1: 267.9819, s2: 267.0038, s3: 266.0258, r1: 269.9381, r2: 270.9162, r3: 271.89425, s4: 263.0915, r4: 274.8285);
        Expect(r[23], pp: 257.1700, s1: 255.5640, s2: 253.9580, s3: 252.3520, r1: 258.7760, r2: 260.3820, r3: 261.9880, s4: 247.5340, r4: 266.8060);
        Expect(r[37], pp: 243.1500, s1: 241.56325, s2: 239.9765, s3: 238.3898, r1: 244.7368, r2: 246.3235, r3: 247.91025, s4: 233.6295, r4: 252.6705);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Demark_monthly(Form form)
    {
        var r = Pivots(form, TestQuotes.Default, PivotWindow.Month, PivotPointType.Demark);
        Assert.Equal(482, r.Count(x => x.PP != null));
        Assert.Equal(default, r[19]);
        ExpectDemark(r[20], 215.1300, 213.2400, 218.7400);
        ExpectDemark(r[149], 234.3475, 232.2250, 239.5350);
        ExpectDemark(r[250], 252.1925, 249.4450, 259.4350);
        ExpectDemark(r[251], 256.0725, 253.4450, 262.2750);
        ExpectDemark(r[501], 268.6050, 262.8200, 280.5300);
    }

    [Fact]
    public void Demark_with_close_equal_open() =>
        Assert.Equal(550d / 4, PivotPoints.Levels(PivotPointType.Demark, 0, 125, 200, 100, 125).PP);

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Fibonacci_hourly_on_intraday(Form form)
    {
        var r = Pivots(form, TestQuotes.Intraday[^300..], PivotWindow.Hour, PivotPointType.Fibonacci);
        Assert.Equal(241, r.Count(x => x.PP != null));
        Assert.Equal(default, r[58]);
        Expect(r[59], pp: 368.4967, s1: 367.9237, s2: 367.5697, s3: 366.9967, r1: 369.0697, r2: 369.4237, r3: 369.9967);
        Expect(r[118], pp: 368.4967, s1: 367.9237, s2: 367.5697, s3: 366.9967, r1: 369.0697, r2: 369.4237, r3: 369.9967);
        Expect(r[119], pp: 369.0000, s1: 368.5760, s2: 368.3140, s3: 367.8900, r1: 369.4240, r2: 369.6860, r3: 370.1100);
        Expect(r[149], pp: 369.0000, s1: 368.5760, s2: 368.3140, s3: 367.8900, r1: 369.4240, r2: 369.6860, r3: 370.1100);
        Expect(r[299], pp: 368.8200, s1: 367.5632, s2: 366.7868, s3: 365.5300, r1: 370.0768, r2: 370.8532, r3: 372.1100);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Woodie_daily_on_intraday(Form form)
    {
        var r = Pivots(form, TestQuotes.Intraday, PivotWindow.Day, PivotPointType.Woodie);
        Assert.Equal(1173, r.Count(x => x.PP != null));
        Assert.Equal(default, r[390]);
        Expect(r[391], pp: 368.7875, s1: 367.9850, s2: 365.1175, s3: 364.3150, r1: 371.6550, r2: 372.4575, r3: 375.3250);
        Expect(r[1172], pp: 370.9769, s1: 370.7938, s2: 368.6845, s3: 368.5014, r1: 373.0862, r2: 373.2693, r3: 375.3786);
        Expect(r[1173], pp: 371.3625, s1: 370.2650, s2: 369.9525, s3: 368.8550, r1: 371.6750, r2: 372.7725, r3: 373.0850);
        Expect(r[1563], pp: 371.3625, s1: 370.2650, s2: 369.9525, s3: 368.8550, r1: 371.6750, r2: 372.7725, r3: 373.0850);
    }

    private static void Expect(
        PivotPointsResult r, double pp, double s1, double s2, double s3, double r1, double r2, double r3,
        int digits = 4, double? s4 = null, double? r4 = null)
    {
        Near(pp, r.PP, digits);
        Near(s1, r.S1, Digits(s1));
        Near(s2, r.S2, Digits(s2));
        Near(s3, r.S3, Digits(s3));
        Near(r1, r.R1, Digits(r1));
        Near(r2, r.R2, Digits(r2));
        Near(r3, r.R3, Digits(r3));
        if (s4 is { } lowest)
        {
            Near(lowest, r.S4, Digits(lowest));
            Near(r4!.Value, r.R4, Digits(r4.Value));
        }
    }

    // The reference asserts most levels at 4 decimals and a few (x.xxxx5) at 5.
    private static int Digits(double value) => Math.Round(value, 4) == value ? 4 : 5;

    private static void ExpectDemark(PivotPointsResult r, double pp, double s1, double r1)
    {
        Near(pp, r.PP, 4);
        Near(s1, r.S1, 4);
        Near(r1, r.R1, 4);
        Assert.Null(r.R2);
        Assert.Null(r.R3);
        Assert.Null(r.R4);
        Assert.Null(r.S2);
        Assert.Null(r.S3);
        Assert.Null(r.S4);
    }
}
