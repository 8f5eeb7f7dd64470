using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fluid;
using Fluid.Values;

namespace Baton.AI;

/// <summary>
/// A Liquid template (Fluid) rendered over a step's <c>input</c>, the run's <c>state</c> and the workflow's <c>inputs</c>
/// (the <c>inputs</c> state variable). JSON values are navigable (<c>{{ input.analysis }}</c>) and print as JSON when
/// printed whole (<c>{{ input }}</c>); only JSON reaches a template, so it cannot run code or reach .NET objects.
/// </summary>
public sealed class PromptTemplate
{
    /// <summary>The run state variable templates read as <c>inputs</c>.</summary>
    public const string InputsState = "inputs";

    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private static readonly ConcurrentDictionary<string, PromptTemplate> Cache = new(StringComparer.Ordinal);
    private readonly IFluidTemplate _template;

    private PromptTemplate(string source, IFluidTemplate template)
    {
        Source = source;
        _template = template;
    }

    /// <summary>The template as written.</summary>
    public string Source { get; }

    /// <summary>Parses a template; on failure says why (Fluid's message carries the line and column).</summary>
    public static bool TryParse(string source, out PromptTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out template))
        {
            error = null;
            return true;
        }

        if (!Parser.TryParse(source, out var parsed, out error))
        {
            template = null;
            return false;
        }

        template = new PromptTemplate(source, parsed);
        if (Cache.Count < 10_000) Cache.TryAdd(source, template);
        return true;
    }

    /// <summary>Parses a template or throws <see cref="FormatException"/> saying why.</summary>
    public static PromptTemplate Parse(string source) =>
        TryParse(source, out var template, out var error) ? template! : throw new FormatException($"invalid template: {error}");

    /// <summary>Renders over a step's input and the run state.</summary>
    public string Render(Payload input, IRunStateView? state)
    {
        ArgumentNullException.ThrowIfNull(input);
        var context = new TemplateContext(Options);
        context.SetValue("input", ToNode(input));
        var stateObject = new JsonObject();
        if (state is not null)
        {
            foreach (var name in state.Names)
            {
                if (state.TryGet(name, out var value)) stateObject[name] = ToNode(value);
            }
        }

        context.SetValue("inputs", stateObject[InputsState]?.DeepClone() ?? new JsonObject());
        context.SetValue("state", stateObject);
        return _template.Render(context);
    }

    private static JsonNode? ToNode(Payload payload) => payload.Kind switch
    {
        PayloadKind.Empty => null,
        PayloadKind.Text => JsonValue.Create(payload.AsText()),
        _ => JsonNode.Parse(payload.ToString()),
    };

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.ValueConverters.Add(static value => value is JsonObject json ? new JsonObjectValue(json) : null);
        return options;
    }

    /// <summary>A JSON object in a template: its properties by name, and JSON text when printed whole.</summary>
    private sealed class JsonObjectValue(JsonObject json) : ObjectValueBase(json)
    {
        public override string ToStringValue() => json.ToJsonString();

        public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) =>
            new(json.TryGetPropertyValue(name, out var value) && value is not null ? Create(value, context.Options) : NilValue.Instance);
    }
}
