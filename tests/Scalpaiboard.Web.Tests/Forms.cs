using System.Net;
using System.Text.RegularExpressions;

namespace Scalpaiboard.Web.Tests;

/// <summary>Posts a server-rendered form the way a browser does: its hidden fields (antiforgery, handler) plus ours.</summary>
public static partial class Forms
{
    /// <param name="formName">the form's handler name, or empty to pick the form by <paramref name="action"/></param>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string pageUrl, string formName, IDictionary<string, string> fields, string? action = null)
    {
        var html = await client.GetStringAsync(pageUrl);
        var form = FormRegex().Matches(html).Select(m => m.Value).FirstOrDefault(f => action is null
                ? f.Contains($"value=\"{formName}\"", StringComparison.Ordinal)
                : f.Contains($"action=\"{action}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form '{formName}{action}' on {pageUrl}");
        var values = new Dictionary<string, string>();
        foreach (Match input in HiddenRegex().Matches(form))
        {
            values[WebUtility.HtmlDecode(input.Groups["name"].Value)] = WebUtility.HtmlDecode(input.Groups["value"].Value);
        }
        foreach (var (k, v) in fields)
        {
            values[k] = v;
        }
        return await client.PostAsync(action ?? pageUrl, new FormUrlEncodedContent(values));
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email = Fakes.FakeGateway.Email, string password = Fakes.FakeGateway.Password) =>
        SubmitAsync(client, "/login", "login", new Dictionary<string, string> { ["Form.Email"] = email, ["Form.Password"] = password });

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex HiddenRegex();
}
