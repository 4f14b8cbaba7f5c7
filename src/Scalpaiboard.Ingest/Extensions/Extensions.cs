using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Ingest.Extensions;

internal static class Extensions
{
    public const string Schema = "ingest";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres(Schema, typeof(Extensions).Assembly);
    }
}
