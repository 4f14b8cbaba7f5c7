using System.Text;
using Microsoft.Extensions.Primitives;
using Scalpaiboard.Ingest.Services;

namespace Scalpaiboard.Ingest.Tests;

public sealed class CoinsJsonTests
{
    [Fact]
    public async Task An_entry_is_compressed_once_however_many_requests_ask_at_the_same_time()
    {
        var plain = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"{{\"symbol\":\"S{i}USDT\",\"price\":{i * 1.5}}},")));
        var entry = new CoinsJson(plain);
        var bodies = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(entry.GzipBody)));
        Assert.All(bodies, b => Assert.Same(bodies[0], b));
        Assert.Same(bodies[0], entry.GzipBody());
        Assert.Equal(plain, CoinsResponseTests.Gunzip(bodies[0]));
        Assert.True(bodies[0].Length < plain.Length / 3);
    }

    [Fact]
    public void Several_accept_encoding_header_lines_are_read_together()
    {
        Assert.True(CoinsJson.AcceptsGzip(new StringValues(["br", "gzip;q=0.3"])));
        Assert.False(CoinsJson.AcceptsGzip(new StringValues(["*", "gzip;q=0"])));
        Assert.False(CoinsJson.AcceptsGzip(new StringValues(["gzip;q=0.4", "identity;q=0.9"])));
        Assert.True(CoinsJson.AcceptsGzip(new StringValues([",, gzip ,"])));
    }
}
