using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Scalpaiboard.ServiceDefaults.Tests;

/// <summary>Secrets in request URLs do not reach the traces the dashboard shows.</summary>
public sealed class TelemetryRedactionTests
{
    [Fact]
    public async Task A_telegram_bot_token_in_the_path_is_not_in_the_client_spans_url()
    {
        const string token = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var telegram = await TestApp.StartAsync(app => app.MapPost("/bot{token}/sendMessage", (string token) => "ok"));
        await using var caller = await TestApp.StartAsync(_ => { });
        var http = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        using var response = await http.PostAsync(new Uri(telegram.Address, $"/bot{token}/sendMessage?chat_id=42"), content: null);
        response.EnsureSuccessStatusCode();

        // The listener hears every HttpClient in the process (other tests run beside this one): take the call to the fake.
        var span = Assert.Single(spans, s => s.Kind == ActivityKind.Client
            && s.GetTagItem("url.full") is string u && u.Contains(telegram.Address.Authority, StringComparison.Ordinal) && u.Contains("sendMessage", StringComparison.Ordinal));
        var url = Assert.IsType<string>(span.GetTagItem("url.full"));
        Assert.DoesNotContain(token, url, StringComparison.Ordinal);
        Assert.DoesNotContain(token, span.DisplayName, StringComparison.Ordinal);
        Assert.EndsWith("/bot{token}/sendMessage", url, StringComparison.Ordinal);
    }
}
