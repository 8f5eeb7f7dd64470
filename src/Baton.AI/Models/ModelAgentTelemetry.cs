using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Telemetry;
using Microsoft.Extensions.AI;
using Tags = Baton.Telemetry.BatonTelemetry.Tags;

namespace Baton.AI;

/// <summary>
/// A model agent's <c>chat</c> and <c>execute_tool</c> spans and its GenAI metrics, on Baton's ActivitySource and
/// Meter, following the OpenTelemetry GenAI conventions. Message content goes on spans only when
/// <see cref="BatonTelemetry.Options"/> asks for it.
/// </summary>
internal static class ModelAgentTelemetry
{
    /// <summary>Starts a model call's span, a child of the agent's step span; null when nobody listens.</summary>
    public static Activity? StartChat(string agent, string? model, string? provider, IStepContext context, IReadOnlyList<ChatMessage> messages)
    {
        if (!BatonTelemetry.Source.HasListeners()) return null;
        var activity = BatonTelemetry.Source.StartActivity(model is null ? BatonTelemetry.Operations.Chat : BatonTelemetry.Operations.Chat + " " + model, ActivityKind.Client);
        if (activity is null) return null;
        activity.SetTag(Tags.Operation, BatonTelemetry.Operations.Chat);
        if (model is not null) activity.SetTag(Tags.RequestModel, model);
        if (provider is not null) activity.SetTag(Tags.ProviderName, provider);
        activity.SetTag(Tags.Agent, agent);
        activity.SetTag(Tags.ConversationId, context.RunId);
        activity.SetTag(Tags.RunId, context.RunId);
        if (!BatonTelemetry.Options.CaptureMessageContent) return activity;
        var system = new JsonArray();
        var input = new JsonArray();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System) system.Add(TextPart(message.Text));
            else input.Add(MessageJson(message, finishReason: null));
        }

        if (system.Count > 0) activity.SetTag(Tags.SystemInstructions, system.ToJsonString());
        activity.SetTag(Tags.InputMessages, input.ToJsonString());
        return activity;
    }

    /// <summary>Records a model call's reply: response and usage tags, the output when content is captured, and the GenAI metrics.</summary>
    public static void ChatEnded(Activity? activity, string? model, string? provider, ChatResponse response, TimeSpan elapsed)
    {
        var input = response.Usage?.InputTokenCount;
        var output = response.Usage?.OutputTokenCount;
        if (activity is not null)
        {
            if (response.ModelId is { } responseModel) activity.SetTag(Tags.ResponseModel, responseModel);
            if (response.ResponseId is { } id) activity.SetTag(Tags.ResponseId, id);
            if (response.FinishReason is { } reason) activity.SetTag(Tags.FinishReasons, new[] { reason.Value });
            if (input is { } i) activity.SetTag(Tags.InputTokens, i);
            if (output is { } o) activity.SetTag(Tags.OutputTokens, o);
            if (BatonTelemetry.Options.CaptureMessageContent)
            {
                var messages = new JsonArray();
                foreach (var message in response.Messages) messages.Add(MessageJson(message, response.FinishReason?.Value ?? "stop"));
                activity.SetTag(Tags.OutputMessages, messages.ToJsonString());
            }
        }

        if (BatonTelemetry.TokenUsage.Enabled)
        {
            if (input is { } i) BatonTelemetry.TokenUsage.Record(i, MetricTags(model, provider, response.ModelId, errorType: null, tokenType: "input"));
            if (output is { } o) BatonTelemetry.TokenUsage.Record(o, MetricTags(model, provider, response.ModelId, errorType: null, tokenType: "output"));
        }

        if (BatonTelemetry.OperationDuration.Enabled) BatonTelemetry.OperationDuration.Record(elapsed.TotalSeconds, MetricTags(model, provider, response.ModelId, errorType: null, tokenType: null));
    }

    /// <summary>Records a model call that threw: <c>error.type</c> on its span and its duration.</summary>
    public static void ChatFailed(Activity? activity, string? model, string? provider, Exception exception, TimeSpan elapsed)
    {
        var type = ErrorTypeOf(exception);
        activity?.SetTag(Tags.ErrorType, type);
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (BatonTelemetry.OperationDuration.Enabled) BatonTelemetry.OperationDuration.Record(elapsed.TotalSeconds, MetricTags(model, provider, responseModel: null, type, tokenType: null));
    }

    /// <summary>Starts a tool call's span, a child of the agent's step span; null when nobody listens.</summary>
    public static Activity? StartTool(string agent, FunctionCallContent call, AITool? tool, IStepContext context)
    {
        if (!BatonTelemetry.Source.HasListeners()) return null;
        var activity = BatonTelemetry.Source.StartActivity(BatonTelemetry.Operations.ExecuteTool + " " + call.Name, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(Tags.Operation, BatonTelemetry.Operations.ExecuteTool);
        activity.SetTag(Tags.ToolName, call.Name);
        activity.SetTag(Tags.ToolCallId, call.CallId);
        activity.SetTag(Tags.ToolType, "function");
        if (tool?.Description is { Length: > 0 } description) activity.SetTag("gen_ai.tool.description", description);
        activity.SetTag(Tags.Agent, agent);
        activity.SetTag(Tags.ConversationId, context.RunId);
        activity.SetTag(Tags.RunId, context.RunId);
        if (BatonTelemetry.Options.CaptureMessageContent) activity.SetTag(Tags.ToolCallArguments, Json(call.Arguments)?.ToJsonString() ?? "{}");
        return activity;
    }

    /// <summary>Records a tool call's outcome: its result when content is captured, and <c>error.type</c> when it did not run or failed.</summary>
    public static void ToolEnded(Activity? activity, object? result, string? errorType)
    {
        if (activity is null) return;
        if (BatonTelemetry.Options.CaptureMessageContent) activity.SetTag(Tags.ToolCallResult, result is string text ? text : Json(result)?.ToJsonString());
        if (errorType is null) return;
        activity.SetTag(Tags.ErrorType, errorType);
        activity.SetStatus(ActivityStatusCode.Error, result?.ToString());
    }

    /// <summary>A low-cardinality name for an exception: an agent error's code, else the exception's type.</summary>
    public static string ErrorTypeOf(Exception exception) =>
        exception is AgentException { Code: { } code } ? code : exception.GetType().FullName ?? exception.GetType().Name;

    private static KeyValuePair<string, object?>[] MetricTags(string? model, string? provider, string? responseModel, string? errorType, string? tokenType)
    {
        var tags = new List<KeyValuePair<string, object?>>(6) { new(Tags.Operation, BatonTelemetry.Operations.Chat) };
        if (model is not null) tags.Add(new(Tags.RequestModel, model));
        if (provider is not null) tags.Add(new(Tags.ProviderName, provider));
        if (responseModel is not null) tags.Add(new(Tags.ResponseModel, responseModel));
        if (errorType is not null) tags.Add(new(Tags.ErrorType, errorType));
        if (tokenType is not null) tags.Add(new(Tags.TokenType, tokenType));
        return [.. tags];
    }

    /// <summary>A message in the GenAI conventions' shape: a role and its parts (text, tool calls, tool results).</summary>
    private static JsonObject MessageJson(ChatMessage message, string? finishReason)
    {
        var parts = new JsonArray();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    parts.Add(TextPart(text.Text));
                    break;
                case FunctionCallContent call:
                    parts.Add(new JsonObject { ["type"] = "tool_call", ["id"] = call.CallId, ["name"] = call.Name, ["arguments"] = Json(call.Arguments) });
                    break;
                case FunctionResultContent result:
                    parts.Add(new JsonObject { ["type"] = "tool_call_response", ["id"] = result.CallId, ["response"] = result.Result is string s ? s : Json(result.Result) });
                    break;
                default:
                    break;
            }
        }

        var json = new JsonObject { ["role"] = message.Role.Value, ["parts"] = parts };
        if (finishReason is not null) json["finish_reason"] = finishReason;
        return json;
    }

    private static JsonObject TextPart(string text) => new() { ["type"] = "text", ["content"] = text };

    private static JsonNode? Json(object? value) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions);
}
