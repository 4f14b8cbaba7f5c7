using Yarp.ReverseProxy.Forwarder;

namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>
/// A step of the proxy pipeline after YARP's forwarder: when forwarding failed before the response started, the
/// status YARP chose becomes RFC 7807 problem details naming the service (502 unreachable, 504 no answer in time; a
/// body the caller sent that Kestrel refused keeps its 4xx). After the response started YARP has already aborted the
/// client's connection, so a truncated body is never taken for a complete one.
/// </summary>
public static partial class ForwardingProblems
{
    /// <summary>
    /// A body whose declared length is over the route's limit (<see cref="ServiceRoute.MaxBodyBytes"/>) is refused with
    /// 413 before anything is forwarded; a chunked body over it is cut off by Kestrel while it streams (then 413 too).
    /// </summary>
    public static async Task RejectOversizedBodyAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.ContentLength is long length
            && context.GetReverseProxyFeature().Route.Config.MaxRequestBodySize is long max and > 0 && length > max)
        {
            await TypedResults.Problem($"The request body is {length} bytes; {context.Request.Path} takes at most {max}.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large").ExecuteAsync(context);
            return;
        }
        await next();
    }

    public static async Task WriteAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.GetForwarderErrorFeature() is not { } failure || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        var (status, title, detail) = failure.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "Service timeout", $"The {service} service did not answer in time."),
            ForwarderError.RequestBodyClient when FindBadRequest(failure.Exception) is { } bad => (bad.StatusCode, "Bad request", bad.Message),
            ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled =>
                (StatusCodes.Status400BadRequest, "Bad request", "The request body could not be read."),
            _ => (StatusCodes.Status502BadGateway, "Service unavailable",
                $"The {service} service could not be reached ({Describe(failure)}); its address comes from services__{service}__http__0."),
        };
        if (status >= 500)
        {
            LogForwardingFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ForwardingProblems)),
                failure.Exception, service, context.Request.Path, failure.Error);
        }
        context.Response.Clear();
        await TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    private static string Describe(IForwarderErrorFeature failure)
    {
        for (var e = failure.Exception; e is not null; e = e.InnerException)
        {
            if (e.InnerException is null)
            {
                return e.Message;
            }
        }
        return failure.Error.ToString();
    }

    private static BadHttpRequestException? FindBadRequest(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad;
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {Service} failed for {Path}: {Error}")]
    private static partial void LogForwardingFailed(ILogger logger, Exception? ex, string service, PathString path, ForwarderError error);
}
