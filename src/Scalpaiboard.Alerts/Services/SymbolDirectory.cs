using System.Text.Json;
using System.Text.RegularExpressions;
using Scalpaiboard.Alerts.Infrastructure;

namespace Scalpaiboard.Alerts.Services;

public enum SymbolCheck
{
    Known,
    BadFormat,
    Unknown,
}

/// <summary>
/// Tells whether a symbol exists: seen on the metrics stream (alerts.symbol_feed), or listed by the ingest's
/// /api/symbols (cached briefly). When neither source can answer (ingest unreachable, nothing streamed yet), a
/// well-formed symbol is accepted rather than refusing every alert during start-up.
/// </summary>
public sealed partial class SymbolDirectory(FeedStore feed, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<SymbolDirectory> logger)
{
    public const string IngestClient = "ingest";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private HashSet<string>? _ingestSymbols;
    private DateTimeOffset _loadedAt;

    [GeneratedRegex("^[A-Z0-9]{2,30}$")]
    private static partial Regex Format();

    public static string Normalize(string? symbol) => (symbol ?? "").Trim().ToUpperInvariant();

    public static bool IsWellFormed(string symbol) => Format().IsMatch(symbol);

    public async Task<SymbolCheck> CheckAsync(string symbol, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(symbol))
        {
            return SymbolCheck.BadFormat;
        }
        if (await feed.GetAsync(symbol, cancellationToken) is not null)
        {
            return SymbolCheck.Known;
        }
        var listed = await IngestSymbolsAsync(cancellationToken);
        if (listed is { Count: > 0 })
        {
            return listed.Contains(symbol) ? SymbolCheck.Known : SymbolCheck.Unknown;
        }
        return await feed.AnyAsync(cancellationToken) ? SymbolCheck.Unknown : SymbolCheck.Known;
    }

    /// <summary>The latest price: from the stream, else the ingest's coin endpoint; null when unknown.</summary>
    public async Task<double?> PriceAsync(string symbol, CancellationToken cancellationToken)
    {
        if (await feed.GetAsync(symbol, cancellationToken) is { } f)
        {
            return f.LastPrice;
        }
        try
        {
            using var client = httpClientFactory.CreateClient(IngestClient);
            using var response = await client.GetAsync(new Uri($"http://ingest/api/coins/{Uri.EscapeDataString(symbol)}"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return doc.RootElement.TryGetProperty("price", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            LogIngestUnavailable(ex);
            return null;
        }
    }

    private async Task<HashSet<string>?> IngestSymbolsAsync(CancellationToken cancellationToken)
    {
        if (_ingestSymbols is { } cached && time.GetUtcNow() - _loadedAt < CacheFor)
        {
            return cached;
        }
        try
        {
            using var client = httpClientFactory.CreateClient(IngestClient);
            using var response = await client.GetAsync(new Uri("http://ingest/api/symbols"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var set = new HashSet<string>(StringComparer.Ordinal);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in new[] { "symbols", "data", "items" })
                {
                    if (root.TryGetProperty(name, out var inner) && inner.ValueKind == JsonValueKind.Array)
                    {
                        root = inner;
                        break;
                    }
                }
            }
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in root.EnumerateArray())
                {
                    var s = e.ValueKind == JsonValueKind.String ? e.GetString()
                        : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("symbol", out var sv) && sv.ValueKind == JsonValueKind.String ? sv.GetString()
                        : null;
                    if (!string.IsNullOrEmpty(s))
                    {
                        set.Add(s.ToUpperInvariant());
                    }
                }
            }
            _ingestSymbols = set;
            _loadedAt = time.GetUtcNow();
            return set;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or UriFormatException)
        {
            LogIngestUnavailable(ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingest symbol list unavailable")]
    private partial void LogIngestUnavailable(Exception ex);
}
