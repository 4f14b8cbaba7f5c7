using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Ai.Extensions;

internal static class Extensions
{
    public const string Schema = "ai";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres(Schema, typeof(Extensions).Assembly);
    }
}
