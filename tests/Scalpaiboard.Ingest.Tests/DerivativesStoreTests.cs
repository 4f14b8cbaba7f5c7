using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The derivatives tables keep what the engine keeps in memory: of two open-interest or funding samples at the same
/// symbol and time, the later one, in one batch or across batches, so that a restart (which rebuilds the engine from
/// these tables) finds the values it had before.
/// </summary>
public sealed class DerivativesStoreTests
{
    private const long T = 1_772_000_000_000;

    [Fact]
    public async Task A_sample_sent_again_with_other_values_replaces_the_stored_one_and_a_liquidation_sent_twice_is_kept_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PostgresServer.Shared.CreateDatabaseAsync("derivstore"));
        await new MigrationRunner(dataSource, "ingest", EmbeddedMigrations.Load(typeof(DerivativesStore).Assembly), NullLogger<MigrationRunner>.Instance)
            .ApplyAsync(CancellationToken.None);
        var store = new DerivativesStore(dataSource);
        var liquidation = DerivativesUpdate.Of("AUSDT", new Liquidation(T + 1_000, LiquidationSide.Long, 10, 2));

        // One batch: a sample, its revision (a ratio that came late), another symbol's sample at the same time, funding twice.
        await store.WriteAsync(
        [
            DerivativesUpdate.Of("AUSDT", new OpenInterestSample(T, 100, 1_000, double.NaN, 1.1, 0.9)),
            DerivativesUpdate.Of("BUSDT", new OpenInterestSample(T, 7, 70, 1.5, 1.6, 1.7)),
            DerivativesUpdate.Of("AUSDT", new FundingSample(T, 0.0001)),
            liquidation,
            DerivativesUpdate.Of("AUSDT", new OpenInterestSample(T, 100, 1_000, 1.2, 1.1, 0.9)),
            DerivativesUpdate.Of("AUSDT", new FundingSample(T, 0.0002)),
            liquidation,
        ], CancellationToken.None);
        var read = await store.ReadSinceAsync(0, CancellationToken.None);
        Assert.Equal(new OpenInterestSample(T, 100, 1_000, 1.2, 1.1, 0.9), Single(read, "AUSDT", DerivativesKind.OpenInterest).OpenInterest);
        Assert.Equal(new OpenInterestSample(T, 7, 70, 1.5, 1.6, 1.7), Single(read, "BUSDT", DerivativesKind.OpenInterest).OpenInterest);
        Assert.Equal(0.0002, Single(read, "AUSDT", DerivativesKind.Funding).Funding.Rate);
        Assert.Equal(liquidation.Liquidation, Single(read, "AUSDT", DerivativesKind.Liquidation).Liquidation);

        // A later batch revises them again; sending the same values once more changes nothing.
        for (var i = 0; i < 2; i++)
        {
            await store.WriteAsync(
            [
                DerivativesUpdate.Of("AUSDT", new OpenInterestSample(T, 101, 1_010, 1.25, 1.1, 0.9)),
                DerivativesUpdate.Of("AUSDT", new FundingSample(T, -0.0001)),
                liquidation,
            ], CancellationToken.None);
            read = await store.ReadSinceAsync(0, CancellationToken.None);
            Assert.Equal(new OpenInterestSample(T, 101, 1_010, 1.25, 1.1, 0.9), Single(read, "AUSDT", DerivativesKind.OpenInterest).OpenInterest);
            Assert.Equal(-0.0001, Single(read, "AUSDT", DerivativesKind.Funding).Funding.Rate);
            Assert.Single(read, u => u.Kind == DerivativesKind.Liquidation);
            Assert.Equal(4, read.Count);
        }
    }

    private static DerivativesUpdate Single(List<DerivativesUpdate> read, string symbol, DerivativesKind kind) =>
        Assert.Single(read, u => u.Symbol == symbol && u.Kind == kind);
}
