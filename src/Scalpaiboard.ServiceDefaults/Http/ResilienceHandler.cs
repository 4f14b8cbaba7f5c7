using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Scalpaiboard.ServiceDefaults.Http;

/// <summary>
/// The standard pipeline every HttpClient gets (Microsoft.Extensions.Http.Resilience is not available here):
/// a total timeout, retries with jittered exponential backoff for idempotent requests on transient failures,
/// and a circuit breaker. Streaming responses (SSE) are returned as soon as headers arrive, so the timeout
/// bounds the time to first byte, not the length of a stream.
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    public static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("request");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (handler, req) = state;
                    return await handler.SendCoreAsync(req, ctx.CancellationToken).ConfigureAwait(ctx.ContinueOnCapturedContext);
                },
                context, (this, request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    internal static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
        || method == HttpMethod.Put || method == HttpMethod.Delete;

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } r } => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || (int)r.StatusCode >= 500,
        _ => false,
    };

    public static ResiliencePipeline<HttpResponseMessage> CreateStandardPipeline() =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(RequestKey, out var req) && IsIdempotent(req.Method) && IsTransient(args.Outcome)),
                // Only a response that is about to be replaced is disposed: Polly asks ShouldHandle about the last
                // attempt too, and that response goes back to the caller.
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 20,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException
                    || args.Outcome.Result is { } r && (int)r.StatusCode >= 500),
            })
            .Build();
}

public static class ResilienceExtensions
{
    /// <summary>Adds the standard timeout/retry/circuit-breaker pipeline to an HttpClient.</summary>
    public static IHttpClientBuilder AddStandardResilience(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new ResilienceHandler(ResilienceHandler.CreateStandardPipeline()));

    /// <summary>Removes every handler added so far (for clients that stream or manage their own retries).</summary>
    public static IHttpClientBuilder WithoutStandardResilience(this IHttpClientBuilder builder) =>
        builder.ConfigureAdditionalHttpMessageHandlers((handlers, _) =>
        {
            for (var i = handlers.Count - 1; i >= 0; i--)
            {
                if (handlers[i] is ResilienceHandler)
                {
                    handlers.RemoveAt(i);
                }
            }
        });
}
