using Microsoft.AspNetCore.Http.HttpResults;

namespace Scalpaiboard.Ingest.Apis;

internal static class ApiResults
{
    public static ProblemHttpResult UnknownSymbol(string symbol) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown symbol",
            detail: $"No symbol '{symbol}' is known to the ingest feed. GET /api/symbols lists them.");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: $"{field}: {message}");

    public static bool TryInt(string? text, string field, int fallback, int min, int max, out int value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ValidationProblem? problem)
    {
        problem = null;
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out value)
            || value < min || value > max)
        {
            problem = Invalid(field, $"must be a whole number between {min} and {max}");
            return false;
        }
        return true;
    }

    public static bool TryTime(string? text, string field, out long? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ValidationProblem? problem)
    {
        problem = null;
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 0)
        {
            problem = Invalid(field, "must be a Unix time in milliseconds");
            return false;
        }
        value = v;
        return true;
    }

    public static string Normalize(string symbol) => symbol.Trim().ToUpperInvariant();
}
