using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>The Alerts service's Hangfire dashboard: linked from the Aspire dashboard, open locally, never through the Gateway.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(40)]
public sealed class JobsDashboardTests(SystemFixture system)
{
    [Fact]
    public async Task The_alerts_resource_links_the_hangfire_dashboard_which_opens_locally_and_not_through_the_gateway()
    {
        var urls = system.ResourceUrls("alerts");
        var link = urls.SingleOrDefault(u => u.DisplayText == "Hangfire jobs");
        Assert.True(link.Url is not null, $"alerts has no Hangfire URL: {string.Join(", ", urls)}");
        Assert.EndsWith("/hangfire", link.Url, StringComparison.Ordinal);

        // From this machine, as the operator's browser opens the link: the dashboard, listing the recurring jobs.
        using var http = new HttpClient();
        var recurring = await http.GetAsync(link.Url + "/recurring");
        var body = await recurring.Content.ReadAsStringAsync();
        Assert.True(recurring.IsSuccessStatusCode, $"GET {link.Url}/recurring -> {(int)recurring.StatusCode}");
        Assert.Contains("outbox-sweep", body);
        Assert.Contains("retention", body);
        Assert.Contains("stale-data-watchdog", body);

        // Through the Gateway: no route, refused.
        var (status, _, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Get, "/hangfire");
        Assert.True(status == 404, $"GET /hangfire through the Gateway -> {status} {raw}");
        (status, _, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Get, "/hangfire/recurring");
        Assert.True(status == 404, $"GET /hangfire/recurring through the Gateway -> {status} {raw}");
    }
}
