namespace Baton.Telemetry;

/// <summary>
/// What Baton's spans may record beyond names, ids and counts. Message content (prompts, replies, tool arguments and
/// results) can hold personal or secret data, so it is left out unless asked for.
/// </summary>
public sealed class BatonTelemetryOptions
{
    /// <summary>The environment variable the OpenTelemetry GenAI conventions name for opting in to message content.</summary>
    public const string CaptureMessageContentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>
    /// True to record prompts, replies, system instructions, tool arguments and tool results on chat and tool spans
    /// (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>, <c>gen_ai.system_instructions</c>,
    /// <c>gen_ai.tool.call.arguments</c>, <c>gen_ai.tool.call.result</c>). False by default.
    /// </summary>
    public bool CaptureMessageContent { get; init; }

    /// <summary>Options read from the environment: content is captured when <see cref="CaptureMessageContentVariable"/> is <c>true</c>.</summary>
    public static BatonTelemetryOptions FromEnvironment() => new()
    {
        CaptureMessageContent = string.Equals(Environment.GetEnvironmentVariable(CaptureMessageContentVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase),
    };
}
