using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Apis;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Ingest.Services.Feeds;
using Scalpaiboard.Ingest.Services.Feeds.Binance;
using Scalpaiboard.Ingest.Services.Feeds.Replay;
using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market;
using Scalpaiboard.Infrastructure.Options;

namespace Scalpaiboard.Ingest.Extensions;

internal static class Extensions
{
    public const string Schema = "ingest";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        // No span per Redis command here: a minute of 500 symbols is ~3,500 PUBLISHes of live frames, and tracing each
        // allocated 5.7 MB a minute (Activity + ProfiledCommand per command) where the rest of the path allocates 0.2 MB
        // (docs/performance.md). Logging, metrics and the health check stay.
        builder.AddRedisClient(RedisSetup.ConnectionName, settings => settings.DisableTracing = true, RedisSetup.Configure);
        builder.Services.AddSingleton<IEventStream, RedisEventStream>();
        builder.Services.AddValidatedOptions<IngestOptions>(IngestOptions.Section);
        builder.Services.AddOpenApi();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<CandleStore>();
        builder.Services.AddSingleton<MarketState>();
        builder.Services.AddSingleton<CoinTable>();
        // One engine: the calculator feeds it, the bar seeder seeds it before any candle (start-up, feeds' first start).
        builder.Services.AddSingleton(_ => new MarketEngine());
        builder.Services.AddSingleton<MarketCalculator>();
        builder.Services.AddSingleton<BarStore>();
        builder.Services.AddSingleton<BarSeeder>();
        builder.Services.AddSingleton<BarRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BarRecorder>());
        builder.Services.AddSingleton<FeedStatus>();
        builder.Services.AddSingleton<LiveAudience>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveAudience>());
        builder.Services.AddSingleton<LiveFanout>();
        builder.Services.AddSingleton<IngestPipeline>();
        builder.Services.AddSingleton<ReplayFeed>();
        builder.Services.AddSingleton<SimulatedFeed>();
        builder.Services.AddSingleton<BinanceFeed>();
        builder.Services.AddSingleton<IMarketFeed>(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value.Feed switch
        {
            FeedKinds.Replay => sp.GetRequiredService<ReplayFeed>(),
            FeedKinds.Binance => sp.GetRequiredService<BinanceFeed>(),
            _ => sp.GetRequiredService<SimulatedFeed>(),
        });

        // The writer starts before the feed and stops after it, so everything fed is drained into the store.
        builder.Services.AddSingleton<CandleWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CandleWriter>());
        builder.Services.AddSingleton<DerivativesStore>();
        builder.Services.AddSingleton<DerivativesRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DerivativesRecorder>());
        builder.Services.AddHostedService<FeedHostedService>();
        builder.Services.AddHostedService<LivePublisher>();
        builder.Services.AddSingleton<RetentionService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());

        builder.Services.AddHealthChecks().AddCheck<FeedHealthCheck>("feed", tags: ["ready"]);
    }

    public static WebApplication MapIngestApis(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapSymbolsApi();
        app.MapCoinsApi();
        app.MapMetricsApi();
        app.MapFeedApi();
        return app;
    }
}
