using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Ai.Apis;

public static class ChatApi
{
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ai").RequireAuthorization().WithTags("Assistant");
        api.MapPost("/chat", ChatAsync)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithSummary("Chat with the assistant; the answer streams as server-sent events (content, tool_call, tool_result, warning, done, error).");
        api.MapGet("/conversations", ListConversationsAsync);
        api.MapGet("/conversations/{id:guid}", GetConversationAsync);
        api.MapDelete("/conversations/{id:guid}", DeleteConversationAsync);
        api.MapGet("/exports/{id:guid}", GetExportAsync).WithSummary("Downloads a file made by the export_results tool.");
        return app;
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ChatAsync(ChatRequest request, HttpContext context,
        ChatService chat, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            errors["message"] = ["A message is required."];
        }
        else if (request.Message.Length > ChatService.MaxMessageLength)
        {
            errors["message"] = [$"At most {ChatService.MaxMessageLength} characters."];
        }
        if (request.Provider is { Length: > 100 })
        {
            errors["provider"] = ["At most 100 characters: 'local', a preset name or a provider entry id."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
        await chat.RunAsync(context.User.UserId(), request, new ServerSentEventSink(response), cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Ok<IReadOnlyList<ConversationSummary>>> ListConversationsAsync(HttpContext context,
        ConversationStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(context.User.UserId(), cancellationToken));

    private static async Task<Results<Ok<ConversationDetail>, NotFound>> GetConversationAsync(Guid id, HttpContext context,
        ConversationStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(context.User.UserId(), id, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeleteConversationAsync(Guid id, HttpContext context,
        ConversationStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(context.User.UserId(), id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<FileContentHttpResult, NotFound>> GetExportAsync(Guid id, HttpContext context,
        ExportStore store, CancellationToken cancellationToken)
    {
        var file = await store.GetAsync(context.User.UserId(), id, cancellationToken);
        return file is null
            ? TypedResults.NotFound()
            : TypedResults.File(System.Text.Encoding.UTF8.GetBytes(file.Content), file.ContentType, file.FileName);
    }
}
