using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Ai.Services.Providers;
using Scalpaiboard.Ai.Apis;
using Scalpaiboard.Ai.Services.Filters;
using Scalpaiboard.Ai.Services.Plugins;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Options;

namespace Scalpaiboard.Ai.Extensions;

internal static class Extensions
{
    public const string Schema = "ai";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        builder.AddGatewayUserAuthentication();
        builder.Services.AddOpenApi();
        builder.Services.AddValidatedOptions<AiOptions>(AiOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);

        // Provider API keys are protected with a key ring kept in PostgreSQL, shared by every replica.
        builder.AddServiceDataProtection("Scalpaiboard.Ai", Schema);
        builder.Services.AddSingleton<ApiKeyProtector>();

        builder.Services.AddSingleton<ConversationStore>();
        builder.Services.AddSingleton<ProviderStore>();
        builder.Services.AddSingleton<UsageStore>();
        builder.Services.AddSingleton<ExportStore>();

        builder.AddProviderClients();
        builder.Services.AddHttpClient<MarketServicesClient>();

        // The assistant's Semantic Kernel plugins and the function filters of every kernel.
        builder.Services.AddTransient<ScreenerPlugin>();
        builder.Services.AddTransient<AlertsPlugin>();
        builder.Services.AddTransient<WatchlistPlugin>();
        builder.Services.AddTransient<BacktestPlugin>();
        builder.Services.AddSingleton<UserAuthorizationFilter>();
        builder.Services.AddSingleton<ToolErrorFilter>();
        builder.Services.AddTransient<AssistantKernelFactory>();

        builder.Services.AddTransient<ChatProviderFactory>();
        builder.Services.AddTransient<ChatService>();
        builder.Services.AddMcpTools();
    }

    /// <summary>
    /// The HttpClients for LLM endpoints, one per trust level (see <see cref="ChatProviderFactory"/>). Neither has a
    /// timeout or retries of its own: a chat stream can last minutes, the chat watches for silence itself, and
    /// the OpenAI SDK retries 429/5xx (<c>Ai:ProviderMaxRetries</c>).
    /// </summary>
    private static void AddProviderClients(this IHostApplicationBuilder builder)
    {
        static void Handler(SocketsHttpHandler h) => h.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        builder.Services.AddOperatorTargetHttpClient(ChatProviderFactory.OperatorClient, Handler)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddUserTargetHttpClient(ChatProviderFactory.UserClient, Handler)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
    }
}
