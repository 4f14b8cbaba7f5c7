using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Gateway.Extensions;

internal static class Extensions
{
    public const string Schema = "gateway";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres(Schema, typeof(Extensions).Assembly);
    }
}
