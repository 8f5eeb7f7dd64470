using System.Text.Json.Nodes;
using Fluid;
using Fluid.Values;

namespace Baton.AI;

/// <summary>
/// A template parsed by Fluid, and Fluid's parser and options. Kept apart from <see cref="PromptTemplate"/> so that
/// Fluid is loaded only when a template needs it (<see cref="SimpleTemplate"/> renders the rest).
/// </summary>
internal sealed class FluidTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IFluidTemplate _template;

    private FluidTemplate(IFluidTemplate template) => _template = template;

    /// <summary>Parses and guards a template; on failure says why (Fluid's message carries the line and column).</summary>
    public static bool TryParse(string source, out FluidTemplate? template, out string? error)
    {
        if (!Parser.TryParse(source, out var parsed, out error) || TemplateGuard.Check(parsed, out error) is not { } guarded)
        {
            template = null;
            return false;
        }

        template = new FluidTemplate(guarded);
        return true;
    }

    /// <summary>Renders over the values a template sees, into a bounded writer.</summary>
    public string Render(JsonNode? input, JsonNode? inputs, JsonObject state, CancellationToken cancellationToken)
    {
        var context = new BoundedTemplateContext(Options, cancellationToken);
        context.SetValue("input", input);
        context.SetValue("inputs", inputs);
        context.SetValue("state", state);
        var writer = new BoundedTemplateWriter(cancellationToken);
        var rendering = _template.RenderAsync(writer, context, NullEncoder.Default);
        // Every value a template sees is in memory, so rendering completes synchronously; the wait is a fallback.
        if (!rendering.IsCompletedSuccessfully) rendering.AsTask().GetAwaiter().GetResult();
        return writer.ToString();
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            MaxSteps = PromptTemplate.StepLimit,
            MaxRecursion = PromptTemplate.RecursionLimit,
            // No files: include and render are refused when parsed, and this keeps them from reading any.
            FileProvider = new Microsoft.Extensions.FileProviders.NullFileProvider(),
            Assigned = static (_, value, context) => Checked(value, context),
            Captured = static (_, value, context) => Checked(value, context),
        };
        BoundedFilters.Apply(options.Filters);
        options.ValueConverters.Add(static value => value is JsonObject json ? new JsonObjectValue(json) : null);
        return options;
    }

    /// <summary>An assigned or captured value: text longer than the output bound is refused, so doubling a string in a loop stops early.</summary>
    private static ValueTask<FluidValue> Checked(FluidValue value, TemplateContext context)
    {
        if (context is BoundedTemplateContext bounded) bounded.CancellationToken.ThrowIfCancellationRequested();
        if (value is StringValue text && text.ToStringValue().Length > PromptTemplate.OutputLimit) throw new TemplateLimitException($"it assigned a text longer than {PromptTemplate.OutputLimit} characters");
        if (value is ArrayValue list && list.Values.Count > PromptTemplate.ListLimit) throw new TemplateLimitException($"it assigned a list of more than {PromptTemplate.ListLimit} items");
        return new ValueTask<FluidValue>(value);
    }

    /// <summary>A JSON object in a template: its properties by name, and JSON text when printed whole.</summary>
    private sealed class JsonObjectValue(JsonObject json) : ObjectValueBase(json)
    {
        public override string ToStringValue() => json.ToJsonString();

        public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) =>
            new(json.TryGetPropertyValue(name, out var value) && value is not null ? Create(value, context.Options) : NilValue.Instance);
    }
}
