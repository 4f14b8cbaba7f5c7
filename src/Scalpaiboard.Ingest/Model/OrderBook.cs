namespace Scalpaiboard.Ingest.Model;

/// <summary>One side's price level.</summary>
public readonly record struct BookLevel(double Price, double Quantity);

/// <summary>An order book snapshot: bids best (highest) first, asks best (lowest) first; time in Unix ms.</summary>
public sealed record OrderBookSnapshot(string Symbol, long Time, BookLevel[] Bids, BookLevel[] Asks, bool Synthetic);
