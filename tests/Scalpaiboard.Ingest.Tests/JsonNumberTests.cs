using System.Buffers.Text;
using System.Text;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Tests;

public sealed class JsonNumberTests
{
    private static string Expected(double v)
    {
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(Utf8Formatter.TryFormat(v, buffer, out var written));
        return Encoding.ASCII.GetString(buffer[..written]);
    }

    private static string Actual(double v)
    {
        Span<byte> buffer = stackalloc byte[JsonNumber.MaxLength];
        return Encoding.ASCII.GetString(buffer[..JsonNumber.Format(v, buffer)]);
    }

    [Fact]
    public void Formats_exactly_like_the_runtime_across_magnitudes()
    {
        var random = new Random(42);
        for (var i = 0; i < 400_000; i++)
        {
            // Random bits in the fast range and around it, plus short decimals like prices.
            var exponent = random.Next(-7, 17);
            var v = (random.NextDouble() + 0.1) * Math.Pow(10, exponent);
            if (i % 3 == 0)
            {
                v = Math.Round(v, random.Next(0, 9));
            }
            if (i % 2 == 0)
            {
                v = -v;
            }
            var bits = BitConverter.DoubleToInt64Bits(v) + random.Next(-2, 3);
            v = BitConverter.Int64BitsToDouble(bits);
            Assert.True(Expected(v) == Actual(v), $"{v:R}: expected {Expected(v)}, got {Actual(v)}");
            Assert.Equal(v, double.Parse(Actual(v), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.5)]
    [InlineData(1.0)]
    [InlineData(5.0)]
    [InlineData(100.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(1e-4)]
    [InlineData(9.9999999999999991e-5)]
    [InlineData(1e-5)]
    [InlineData(999999999999999.9)]
    [InlineData(1e15)]
    [InlineData(1e16)]
    [InlineData(123456789012345.67)]
    [InlineData(2251799813685248.0)]
    [InlineData(4503599627370496.0)]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(1024.0)]
    [InlineData(142.1337)]
    [InlineData(12510.7315)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(-3.4028234663852886e38)]
    public void Formats_edge_values_like_the_runtime(double v) => Assert.Equal(Expected(v), Actual(v));

    [Fact]
    public void Formats_every_power_of_two_and_its_neighbours_in_range()
    {
        for (var e = -20; e < 55; e++)
        {
            var v = Math.Pow(2, e);
            foreach (var d in new[] { v, Math.BitDecrement(v), Math.BitIncrement(v), 3 * v, 10 * v })
            {
                Assert.True(Expected(d) == Actual(d), $"{d:R}: expected {Expected(d)}, got {Actual(d)}");
            }
        }
    }
}
