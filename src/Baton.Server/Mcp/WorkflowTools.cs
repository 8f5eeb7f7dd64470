using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Server.Workflows;
using Baton.Yaml.Model;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Baton.Server.Mcp;

/// <summary>
/// The workflow files a server offers, as Model Context Protocol tools: one tool per file, its inputs as the tool's
/// input schema. A call starts a durable run in the store, waits for it, and answers with its output; a failed run is
/// a tool error with the run's error; a run that waits for a person answers that it waits, with its id and question.
/// The same tools serve <c>baton mcp</c> (stdio) and <c>/mcp</c> (Streamable HTTP).
/// </summary>
internal sealed class WorkflowTools
{
    /// <summary>The longest tool name MCP allows.</summary>
    private const int MaxNameLength = 128;

    private readonly BatonServer _server;
    private readonly Dictionary<string, OfferedWorkflow> _byTool = new(StringComparer.Ordinal);

    public WorkflowTools(BatonServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        var tools = new List<Tool>();
        foreach (var offered in server.Catalog.Workflows)
        {
            var name = UniqueName(ToolName(offered.Name));
            _byTool[name] = offered;
            tools.Add(new Tool
            {
                Name = name,
                Title = offered.Name,
                Description = Describe(offered),
                InputSchema = InputSchema(offered.Document.Inputs),
            });
        }

        Tools = tools;
    }

    /// <summary>One tool per workflow file, in the order the files were given.</summary>
    public IReadOnlyList<Tool> Tools { get; }

    /// <summary>Sets the handlers of an MCP server to list and call these tools; <paramref name="resolve"/> finds them for a request.</summary>
    public static void Configure(McpServerOptions options, Func<MessageContext, WorkflowTools> resolve)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolve);
        options.ServerInfo ??= new Implementation { Name = "baton", Version = typeof(WorkflowTools).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" };
        options.ServerInstructions ??= "Each tool runs a Baton workflow file and answers with its output. A run that waits for a person answers with its run id and question: answer it with `baton runs answer RUN --value ...`.";
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Tools ??= new ToolsCapability();
        options.Handlers.ListToolsHandler = (request, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. resolve(request).Tools] });
        options.Handlers.CallToolHandler = (request, cancellationToken) => resolve(request).CallAsync(request.Params, cancellationToken);
    }

    /// <summary>
    /// Runs the tool's workflow with the call's arguments as its inputs. Cancelling the call interrupts the run (as
    /// Ctrl+C does <c>baton run</c>): it stays in the store, resumable with <c>baton runs resume</c>.
    /// </summary>
    /// <exception cref="McpProtocolException">There is no such tool (invalid params).</exception>
    public async ValueTask<CallToolResult> CallAsync(CallToolRequestParams? call, CancellationToken cancellationToken)
    {
        var name = call?.Name ?? "";
        if (!_byTool.TryGetValue(name, out var offered))
        {
            var near = Suggestions.Closest(name, [.. _byTool.Keys]) is { } n ? $"; did you mean '{n}'?" : "";
            throw new McpProtocolException($"there is no tool '{name}'{near}; this server offers {(_byTool.Count == 0 ? "none" : string.Join(", ", _byTool.Keys))}", McpErrorCode.InvalidParams);
        }

        JsonObject? inputs = null;
        if (call!.Arguments is { } arguments)
        {
            inputs = [];
            foreach (var (key, value) in arguments) inputs[key] = JsonNode.Parse(value.GetRawText());
        }

        if (_server.Executor is not null)
        {
            // A tool call answers with the run's result, which a server handing its runs to others does not wait for here.
            return Error($"this server hands its runs to a cluster's workers; start '{offered.Name}' with POST /api/runs and follow it at /api/runs/{{id}}/events", new JsonObject
            {
                ["status"] = "refused",
                ["code"] = "runs_elsewhere",
                ["problems"] = new JsonArray(),
            });
        }

        var started = await RunStart.StartAsync(_server, offered, inputs, cancellationToken).ConfigureAwait(false);
        if (started.Handle is not { } handle)
        {
            return Error(started.Describe(), new JsonObject
            {
                ["status"] = "refused",
                ["code"] = started.Code,
                ["problems"] = new JsonArray([.. started.Problems.Select(p => (JsonNode)JsonValue.Create(p))]),
            });
        }

        RunResult result;
        using (cancellationToken.Register(handle.Interrupt))
        {
            result = await handle.Completion.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return result.Status switch
        {
            RunStatus.Succeeded => Succeeded(result),
            RunStatus.Waiting => await WaitingAsync(result, cancellationToken).ConfigureAwait(false),
            _ => Ended(result),
        };
    }

    private static CallToolResult Succeeded(RunResult result)
    {
        var output = result.Output ?? Payload.Empty;
        var structured = new JsonObject { ["runId"] = result.RunId, ["status"] = "succeeded" };
        if (output.Kind == PayloadKind.Json)
        {
            var json = JsonNode.Parse(output.AsJson().GetRawText());
            structured["output"] = json;
            return new CallToolResult { Content = [new TextContentBlock { Text = json?.ToJsonString() ?? "null" }], StructuredContent = ToElement(structured) };
        }

        structured["output"] = output.AsText();
        return new CallToolResult { Content = [new TextContentBlock { Text = output.AsText() }], StructuredContent = ToElement(structured) };
    }

    private async Task<CallToolResult> WaitingAsync(RunResult result, CancellationToken cancellationToken)
    {
        var open = await _server.Runtime.Humans.ListOpenAsync(result.RunId, cancellationToken).ConfigureAwait(false);
        var question = open.Count > 0 ? open[0] : null;
        var text = new StringBuilder($"run {result.RunId} is waiting for a person");
        text.Append(question is null ? "." : $": {question.Prompt}");
        if (question is { Choices.Count: > 0 }) text.Append($" (choices: {string.Join(", ", question.Choices)})");
        text.Append($"\nanswer with: baton runs answer {result.RunId} --value ...");
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.ToString() }],
            StructuredContent = ToElement(new JsonObject
            {
                ["runId"] = result.RunId,
                ["status"] = "waiting",
                ["question"] = question?.Prompt,
                ["choices"] = question is null ? null : new JsonArray([.. question.Choices.Select(c => (JsonNode)JsonValue.Create(c))]),
            }),
        };
    }

    private static CallToolResult Ended(RunResult result)
    {
        var status = RunReport.StatusName(result.Status);
        var error = result.Error;
        var message = error?.Code == "interrupted"
            ? $"run {result.RunId} was interrupted; continue it with: baton runs resume {result.RunId}"
            : $"run {result.RunId} {status}{(error?.StepId is { } step ? $" in {step}" : "")}{(error?.Code is { } code ? $" ({code})" : "")}: {error?.Message ?? "no error was recorded"}";
        return Error(message, new JsonObject
        {
            ["runId"] = result.RunId,
            ["status"] = status,
            ["error"] = error is null ? null : new JsonObject
            {
                ["message"] = error.Message,
                ["kind"] = error.Kind.ToString().ToLowerInvariant(),
                ["step"] = error.StepId,
                ["code"] = error.Code,
            },
        });
    }

    private static CallToolResult Error(string message, JsonObject structured) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
        StructuredContent = ToElement(structured),
    };

    private static JsonElement ToElement(JsonObject value) => JsonSerializer.SerializeToElement(value, McpJsonUtilities.DefaultOptions);

    /// <summary>The tool's input schema: an object of the file's inputs, each with its type and default; the required ones listed.</summary>
    internal static JsonElement InputSchema(IReadOnlyList<InputDefinition> inputs)
    {
        var properties = new JsonObject();
        foreach (var input in inputs)
        {
            var property = new JsonObject { ["type"] = input.Type };
            if (input.Default is { } value) property["default"] = value.DeepClone();
            properties[input.Name] = property;
        }

        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. inputs.Where(i => i.Required && i.Default is null).Select(i => (JsonNode)JsonValue.Create(i.Name))]),
            ["additionalProperties"] = false,
        };
        return ToElement(schema);
    }

    private static string Describe(OfferedWorkflow offered)
    {
        var description = string.IsNullOrWhiteSpace(offered.Document.Description) ? $"Runs the workflow '{offered.Name}'." : offered.Document.Description.Trim();
        return $"{description} (Baton workflow file {Path.GetFileName(offered.File)}; a run that waits for a person answers with its run id and question.)";
    }

    /// <summary>A workflow's name as MCP allows a tool's: ASCII letters, digits, '_', '-' and '.', at most 128 characters.</summary>
    internal static string ToolName(string workflow)
    {
        var name = new StringBuilder(workflow.Length);
        foreach (var c in workflow) name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        if (name.Length == 0) name.Append("workflow");
        return name.Length <= MaxNameLength ? name.ToString() : name.ToString(0, MaxNameLength);
    }

    private string UniqueName(string name)
    {
        if (!_byTool.ContainsKey(name)) return name;
        for (var i = 2; ; i++)
        {
            var suffix = $"_{i}";
            var candidate = (name.Length + suffix.Length <= MaxNameLength ? name : name[..(MaxNameLength - suffix.Length)]) + suffix;
            if (!_byTool.ContainsKey(candidate)) return candidate;
        }
    }
}
