using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Scalpaiboard.ServiceDefaults;

/// <summary>
/// A request the framework cannot bind (malformed or truncated JSON, a value of the wrong type, NaN, invalid UTF-8,
/// a body over the endpoint's size limit) is the caller's mistake: answer the exception's 4xx as problem details,
/// naming the JSON path of the bad value as the field when there is one, instead of a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        var json = FindJsonException(bad);
        var problem = new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Invalid request",
            Detail = json is null ? bad.Message : "The request body is not valid JSON for this endpoint: " + FirstSentence(json.Message),
        };
        if (json is not null)
        {
            var field = Field(json.Path);
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [FirstSentence(json.Message)] };
        }
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }
        return null;
    }

    /// <summary><c>$.conditions[0].value</c> → <c>conditions[0].value</c>; the whole body is <c>body</c>.</summary>
    private static string Field(string? path) => path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
