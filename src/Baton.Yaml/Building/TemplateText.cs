using System.Text.Json.Nodes;
using Fluid;
using Fluid.Values;

namespace Baton.Yaml;

/// <summary>
/// A Liquid template of a workflow file rendered over <c>input</c>, <c>inputs</c> and <c>state</c>. JSON values are
/// navigable (<c>{{ input.analysis }}</c>) and print as JSON when printed whole (<c>{{ input }}</c>); nothing but JSON
/// reaches the template, so it cannot run code or reach .NET objects.
/// </summary>
internal sealed class TemplateText
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IFluidTemplate _template;

    public TemplateText(string source)
    {
        Source = source;
        if (!Parser.TryParse(source, out var template, out var error)) throw new FormatException($"invalid template: {error}");
        _template = template;
    }

    public string Source { get; }

    public string Render(Payload input, IRunStateView? state)
    {
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

        context.SetValue("state", stateObject);
        context.SetValue("inputs", stateObject[WorkflowDocumentBuilder.InputsState]?.DeepClone() ?? new JsonObject());
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
