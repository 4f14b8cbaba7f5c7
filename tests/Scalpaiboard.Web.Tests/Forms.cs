using System.Net;
using System.Text.RegularExpressions;

namespace Scalpaiboard.Web.Tests;

/// <summary>Posts a server-rendered form the way a browser does: its hidden fields (antiforgery, handler) plus ours.</summary>
public static partial class Forms
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string pageUrl, string formName, IDictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(pageUrl);
        var form = FormRegex().Matches(html).Select(m => m.Value).FirstOrDefault(f => f.Contains($"value=\"{formName}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form '{formName}' on {pageUrl}");
        var values = new Dictionary<string, string>();
        foreach (Match input in HiddenRegex().Matches(form))
        {
            values[WebUtility.HtmlDecode(input.Groups["name"].Value)] = WebUtility.HtmlDecode(input.Groups["value"].Value);
        }
        foreach (var (k, v) in fields)
        {
            values[k] = v;
        }
        return await client.PostAsync(pageUrl, new FormUrlEncodedContent(values));
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email = Fakes.FakeGateway.Email, string password = Fakes.FakeGateway.Password) =>
        SubmitAsync(client, "/login", "login", new Dictionary<string, string> { ["Form.Email"] = email, ["Form.Password"] = password });

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex HiddenRegex();
}
