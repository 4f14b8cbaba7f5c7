using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Backtests;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Jobs;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Alerts.Services.Engine;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Infrastructure.Options;

namespace Scalpaiboard.Alerts.Extensions;

internal static class Extensions
{
    public const string Schema = "alerts";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        builder.AddRedisClient(RedisSetup.ConnectionName, configureOptions: RedisSetup.Configure);
        builder.Services.AddSingleton<IEventStream, RedisEventStream>();
        builder.AddGatewayUserAuthentication();
        builder.Services.AddOpenApi();
        builder.Services.AddValidatedOptions<AlertsOptions>(AlertsOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(SymbolDirectory.IngestClient, c => c.Timeout = TimeSpan.FromSeconds(5));

        builder.Services.AddSingleton<AlertsTelemetry>();
        builder.Services.AddSingleton<SignalStore>();
        builder.Services.AddSingleton<UserAlertStore>();
        // Users' webhook secrets and bot tokens are stored encrypted with a key ring kept in PostgreSQL.
        builder.AddServiceDataProtection("Scalpaiboard.Alerts", Schema);
        builder.Services.AddSingleton<SettingsStore>();
        builder.Services.AddSingleton<PushSubscriptionStore>();
        builder.Services.AddHostedService<PlaintextSecretsMigration>();
        builder.Services.AddSingleton<WatchlistStore>();
        builder.Services.AddSingleton<FeedStore>();
        builder.Services.AddSingleton<OutboxStore>();

        builder.Services.AddSingleton<PresetRules>();
        builder.Services.AddSingleton<ConditionRules>();
        builder.Services.AddSingleton<UserAlertCache>();
        builder.Services.AddSingleton<SymbolDirectory>();
        builder.Services.AddSingleton<LivePublisher>();
        builder.Services.AddSingleton<SignalProcessor>();
        builder.Services.AddSingleton<ConsumerState>();
        builder.Services.AddHostedService<MetricsConsumer>();

        builder.Services.AddSingleton<OutboxWakeup>();
        builder.AddWebhookClients();
        builder.Services.AddSingleton<TelegramSender>();
        builder.Services.AddValidatedOptions<NotificationsOptions>(NotificationsOptions.Section);
        builder.Services.AddSingleton<EmailConfirmations>();
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddSingleton<PushSender>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<TelegramChatLimiter>();
        builder.Services.AddSingleton<DeliveryWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());

        builder.AddScheduledJobs();

        // Backtests: Hangfire background jobs over the candles Ingest stored (docs/backtests.md).
        builder.Services.AddValidatedOptions<BacktestOptions>(BacktestOptions.Section);
        builder.Services.AddSingleton<BacktestStore>();
        builder.Services.AddSingleton<IngestCandleSource>();

        builder.Services.AddHealthChecks()
            .AddCheck<ConsumerHealthCheck>("consumer", tags: ["ready"])
            .AddCheck<FeedHealthCheck>("feed", tags: ["ready"]);
    }

    /// <summary>
    /// The webhook sender's two clients: users' targets connect only to public addresses (unless
    /// <c>Security:AllowPrivateNetworks</c>), the operator's (<c>Alerts:Webhooks</c>) are trusted. Neither follows redirects.
    /// </summary>
    private static void AddWebhookClients(this IHostApplicationBuilder builder)
    {
        static void Handler(SocketsHttpHandler h)
        {
            h.PooledConnectionLifetime = TimeSpan.FromMinutes(2);
            h.ConnectTimeout = TimeSpan.FromSeconds(5);
            h.AllowAutoRedirect = false;
        }
        static void Client(IServiceProvider sp, HttpClient c)
        {
            c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Delivery.TimeoutSeconds);
            c.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Scalpaiboard", "1.0"));
        }
        builder.Services.AddUserTargetHttpClient(WebhookSender.UserClient, Handler).ConfigureHttpClient(Client);
        builder.Services.AddOperatorTargetHttpClient(WebhookSender.OperatorClient, Handler).ConfigureHttpClient(Client);
    }

    /// <summary>The scheduled jobs as Hangfire recurring jobs on the service's job server (<see cref="JobServerExtensions"/>).</summary>
    private static void AddScheduledJobs(this IHostApplicationBuilder builder)
    {
        var jobs = builder.Configuration.GetSection(AlertsOptions.Section).Get<AlertsOptions>()?.Jobs ?? new JobOptions();
        builder.AddJobServer(jobs);
        builder.Services.AddHostedService<RecurringJobsRegistration>();
    }
}
