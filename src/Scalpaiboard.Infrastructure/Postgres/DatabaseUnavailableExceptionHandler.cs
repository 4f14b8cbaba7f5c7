using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// A request that failed because PostgreSQL went away (restarted, crashed, unreachable) answers 503 with
/// <c>Retry-After</c> instead of a 500, and empties the connection pool. Npgsql does not check a pooled connection
/// before handing it out, so after a server restart every idle connection is broken and would fail one request
/// each; clearing the pool at the first failure makes the next requests open fresh connections.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(
    NpgsqlDataSource dataSource, IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (TransientCause(exception) is not { } cause)
        {
            return false;
        }
        dataSource.Clear();
        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, cause.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = $"The service lost its PostgreSQL connection (a restart or an outage); retry in {RetryAfterSeconds} s.",
            },
        });
    }

    /// <summary>The Npgsql error in the chain that says the connection or the server failed (not the query), if any.</summary>
    private static NpgsqlException? TransientCause(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } npgsql)
            {
                return npgsql;
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: PostgreSQL unavailable ({Error}); answered 503 and cleared the connection pool")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string error);
}
