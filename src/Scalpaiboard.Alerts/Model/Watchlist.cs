namespace Scalpaiboard.Alerts.Model;

public sealed record WatchlistRequest(string? Symbol);

public sealed record WatchlistItem(string Symbol, double? AddedPrice, DateTimeOffset AddedAt, double? CurrentPrice);

public sealed record Watchlist(IReadOnlyList<WatchlistItem> Items);

public sealed record PortfolioItem(
    string Symbol,
    double? AddedPrice,
    DateTimeOffset AddedAt,
    double? CurrentPrice,
    double? ChangePercent,
    long? LastOpenTime);

/// <summary>The watchlist valued: each symbol's move since it was added, and the equal-weight average.</summary>
public sealed record Portfolio(IReadOnlyList<PortfolioItem> Items, int Count, double? AverageChangePercent, PortfolioItem? Best, PortfolioItem? Worst);
