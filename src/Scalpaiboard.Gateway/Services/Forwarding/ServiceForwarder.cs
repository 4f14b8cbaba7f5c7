using System.Buffers;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>
/// Forwards one request to the service that owns it and streams the answer back: method, path, query and
/// end-to-end headers travel as they came; bodies are streamed both ways without buffering (each chunk read from
/// the service is flushed to the client, so server-sent events arrive event by event). The caller's identity
/// travels as the signed user headers of <see cref="UserContextSigner"/>, never as the caller's own credentials.
/// A service that cannot be reached answers 502, one that does not send its response headers in time 504.
/// </summary>
public sealed partial class ServiceForwarder : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly HttpMessageInvoker _client;
    private readonly IConfiguration _configuration;
    private readonly UserContextSigner _signer;
    private readonly ForwardingOptions _options;
    private readonly ILogger<ServiceForwarder> _logger;

    public ServiceForwarder(IConfiguration configuration, UserContextSigner signer, IOptions<GatewayOptions> options, ILogger<ServiceForwarder> logger)
    {
        _configuration = configuration;
        _signer = signer;
        _options = options.Value.Forwarding;
        _logger = logger;
        // Our own handler rather than an IHttpClientFactory client: no retries (a POST must not run twice, and a
        // stream must not be cut by a total timeout), no redirects, no decompression, no cookies.
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }, disposeHandler: true);
    }

    public async Task ForwardAsync(HttpContext context, string service)
    {
        // The address the AppHost hands out (services__<name>__http__0), as Aspire's service discovery reads it.
        var baseAddress = _configuration[$"services:{service}:http:0"] is { Length: > 0 } configured ? new Uri(configured) : null;
        if (baseAddress is null)
        {
            await ProblemAsync(context, StatusCodes.Status502BadGateway, "Service unavailable",
                $"The {service} service has no address configured (services__{service}__http__0).");
            return;
        }
        using var request = CreateRequest(context, baseAddress);

        using var headersTimeout = new CancellationTokenSource(_options.ResponseHeadersTimeout);
        using var sendCancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, headersTimeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, sendCancel.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientLeft(_logger, service, context.Request.Path);
            return;
        }
        catch (OperationCanceledException) when (headersTimeout.IsCancellationRequested)
        {
            LogTimeout(_logger, service, context.Request.Path, _options.ResponseHeadersTimeout);
            await ProblemAsync(context, StatusCodes.Status504GatewayTimeout, "Service timeout",
                $"The {service} service did not answer within {_options.ResponseHeadersTimeout.TotalSeconds:0.###} s.");
            return;
        }
        catch (OperationCanceledException ex)
        {
            // Neither the client nor our timeout: the connect timeout of the handler.
            LogUnreachable(_logger, ex, service, context.Request.Path);
            await ProblemAsync(context, StatusCodes.Status502BadGateway, "Service unavailable",
                $"The {service} service could not be reached: connecting timed out.");
            return;
        }
        catch (HttpRequestException ex) when (FindBadRequest(ex) is { } bad)
        {
            // Reading the caller's body failed (too large, malformed): the caller's fault, not the service's.
            await ProblemAsync(context, bad.StatusCode, "Bad request", bad.Message);
            return;
        }
        catch (HttpRequestException ex)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            LogUnreachable(_logger, ex, service, context.Request.Path);
            await ProblemAsync(context, StatusCodes.Status502BadGateway, "Service unavailable",
                $"The {service} service could not be reached: {ex.Message}");
            return;
        }

        using (response)
        {
            await CopyResponseAsync(context, response, service);
        }
    }

    private HttpRequestMessage CreateRequest(HttpContext context, Uri baseAddress)
    {
        var incoming = context.Request;
        var target = new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent());
        var request = new HttpRequestMessage(HttpMethod.Parse(incoming.Method), target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(incoming.Body, BufferSize);
        }
        var connection = incoming.Headers.Connection;
        foreach (var (name, values) in incoming.Headers)
        {
            if (!ForwardedHeaders.IsForwardableRequestHeader(name, connection))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", ForwardedHeaders.ForwardedFor(context));
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.Host.HasValue)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        }
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { Length: > 0 } userId)
        {
            var (time, signature) = _signer.Sign(userId);
            request.Headers.TryAddWithoutValidation(UserContextSigner.UserHeader, userId);
            request.Headers.TryAddWithoutValidation(UserContextSigner.TimeHeader, time);
            request.Headers.TryAddWithoutValidation(UserContextSigner.SignatureHeader, signature);
        }
        return request;
    }

    private async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, string service)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        response.Headers.TryGetValues("Connection", out var connection);
        CopyHeaders(response.Headers, outgoing, connection);
        CopyHeaders(response.Content.Headers, outgoing, connection);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var started = false;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            while (true)
            {
                var read = await body.ReadAsync(buffer, context.RequestAborted);
                if (read == 0)
                {
                    break;
                }
                started = true;
                await outgoing.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await outgoing.Body.FlushAsync(context.RequestAborted);
            }
            if (!started)
            {
                await outgoing.StartAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; disposing the response closes the service's connection, which cancels its work.
            LogClientLeft(_logger, service, context.Request.Path);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                LogClientLeft(_logger, service, context.Request.Path);
                return;
            }
            // The service broke off mid-response: the status line has gone out, so all we can do is cut the
            // client's connection too, so it does not take a truncated body for a complete one.
            LogBrokenResponse(_logger, ex, service, context.Request.Path);
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders headers, HttpResponse outgoing, IEnumerable<string>? connection)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!ForwardedHeaders.IsForwardableResponseHeader(name, connection) || name.Equals("Server", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            outgoing.Headers[name] = values.Count == 1 ? new Microsoft.Extensions.Primitives.StringValues(values.ToString()) : new Microsoft.Extensions.Primitives.StringValues([.. values]);
        }
    }

    private static BadHttpRequestException? FindBadRequest(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad;
            }
        }
        return null;
    }

    internal static Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }
        return TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client left during {Service} {Path}")]
    private static partial void LogClientLeft(ILogger logger, string service, PathString path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} did not answer {Path} within {Timeout}")]
    private static partial void LogTimeout(ILogger logger, string service, PathString path, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} unreachable for {Path}")]
    private static partial void LogUnreachable(ILogger logger, Exception ex, string service, PathString path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} broke off its response to {Path}")]
    private static partial void LogBrokenResponse(ILogger logger, Exception ex, string service, PathString path);
}
