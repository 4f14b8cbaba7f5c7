using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Alerts.Extensions;

internal static class Extensions
{
    public const string Schema = "alerts";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres(Schema, typeof(Extensions).Assembly);
    }
}
