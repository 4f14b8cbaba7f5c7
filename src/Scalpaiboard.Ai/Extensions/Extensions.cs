using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Ai.Services.Providers;
using Scalpaiboard.Ai.Services.Tools;
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
        builder.Services.AddTransient<AssistantToolFactory>();
        builder.Services.AddTransient<ChatProviderFactory>();
        builder.Services.AddSingleton<ToolCallingLoop>();
        builder.Services.AddTransient<ChatService>();
    }

    /// <summary>
    /// The HttpClients for LLM endpoints, one per trust level (see <see cref="ChatProviderFactory"/>). Neither has a
    /// timeout or retries of its own: a chat stream can last minutes, the tool loop watches for silence itself, and
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
