using System.Text.Json;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Market.Tests.Derivatives;

/// <summary>
/// The engine fed a generated replay (klines and derivatives files, merged by time as the replay feed merges them)
/// against ../shared/acceptance/derivatives_ref.py at every symbol's last close.
/// </summary>
public sealed class DerivativesReferenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deriv-ref-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [PythonTheory]
    [InlineData(5, 6, 2)]
    [InlineData(9, 4, 3)]
    public async Task Engine_matches_the_reference_at_the_last_close(int seed, int symbols, int days)
    {
        var klines = Path.Combine(_dir, "klines");
        var derivatives = Path.Combine(_dir, "deriv");
        var expected = Path.Combine(_dir, "expected.json");
        await Python.CheckedAsync(SharedData.Acceptance("klinegen.py"), klines, "--seed", $"{seed}", "--symbols", $"{symbols}",
            "--days", $"{days}", "--start", "2026-03-02", "--derivatives", derivatives);
        await Python.CheckedAsync(SharedData.Acceptance("derivatives_ref.py"), klines, derivatives, expected);

        var engine = new MarketEngine();
        using var samples = new DerivativesCsvReader(derivatives).ReadAll().GetEnumerator();
        var more = samples.MoveNext();
        foreach (var row in KlineCsvReader.Read(klines))
        {
            while (more && samples.Current.Time <= row.Candle.OpenTime + Candle.MinuteMs)
            {
                engine.OnDerivatives(samples.Current);
                more = samples.MoveNext();
            }
            engine.OnClosedCandle(row.Symbol, row.Candle);
        }

        using var reference = JsonDocument.Parse(await File.ReadAllTextAsync(expected));
        var fields = reference.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToArray();
        var checkedValues = 0;
        var available = 0;
        foreach (var symbol in reference.RootElement.GetProperty("symbols").EnumerateObject())
        {
            Assert.True(engine.TryGetSnapshot(symbol.Name, out var snapshot), symbol.Name);
            Assert.Equal(symbol.Value.GetProperty("closeTime").GetInt64(), snapshot.OpenTime + Candle.MinuteMs);
            var values = snapshot.Derivatives.AsSpan();
            foreach (var field in fields)
            {
                var want = symbol.Value.GetProperty(field);
                var got = values[Array.IndexOf(DerivativesValues.Names, field)];
                if (want.ValueKind == JsonValueKind.Null)
                {
                    Assert.True(double.IsNaN(got), $"{symbol.Name} {field}: want null, got {got}");
                }
                else
                {
                    var w = want.GetDouble();
                    Assert.True(Math.Abs(got - w) <= 1e-9 * Math.Max(1, Math.Abs(w)), $"{symbol.Name} {field}: want {w}, got {got}");
                    available++;
                }
                checkedValues++;
            }
            // A replay has no liquidation source: unavailable, never 0.
            Assert.True(double.IsNaN(snapshot.Derivatives.LiquidationsLong1h));
        }
        Assert.Equal(symbols * fields.Length, checkedValues);
        Assert.True(available > checkedValues / 2, $"only {available} of {checkedValues} values available");
    }
}
