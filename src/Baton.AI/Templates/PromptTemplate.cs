using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Baton.AI;

/// <summary>
/// A Liquid template (Fluid) rendered over a step's <c>input</c>, the run's <c>state</c> and the workflow's <c>inputs</c>
/// (the <c>inputs</c> state variable). JSON values are navigable (<c>{{ input.analysis }}</c>) and print as JSON when
/// printed whole (<c>{{ input }}</c>); only JSON reaches a template, so it cannot run code, read files or reach .NET
/// objects. Rendering is bounded: <see cref="StepLimit"/> statements, <see cref="RecursionLimit"/> levels,
/// <see cref="RangeLimit"/> numbers in a range, <see cref="OutputLimit"/> characters of output or of one assigned value,
/// <see cref="ListLimit"/> items in an assigned list, and the caller's cancellation token.
/// </summary>
public sealed class PromptTemplate
{
    /// <summary>The run state variable templates read as <c>inputs</c>.</summary>
    public const string InputsState = "inputs";

    /// <summary>The most statements (loop iterations included) one render may run.</summary>
    public const int StepLimit = 100_000;

    /// <summary>The deepest nesting of blocks one render may reach.</summary>
    public const int RecursionLimit = 64;

    /// <summary>The most numbers a range such as <c>(1..n)</c> may hold.</summary>
    public const int RangeLimit = 10_000;

    /// <summary>The most characters one render may produce, and one <c>assign</c>, <c>capture</c>, <c>replace</c> or <c>join</c> may make.</summary>
    public const int OutputLimit = 1024 * 1024;

    /// <summary>The most items one assigned list may hold.</summary>
    public const int ListLimit = 100_000;

    private static readonly ConcurrentDictionary<string, PromptTemplate> Cache = new(StringComparer.Ordinal);
    private readonly SimpleTemplate? _simple;
    private FluidTemplate? _fluid;

    private PromptTemplate(string source, SimpleTemplate? simple, FluidTemplate? fluid)
    {
        Source = source;
        _simple = simple;
        _fluid = fluid;
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

        if (TemplateNesting.Check(source, RecursionLimit) is { } tooDeep)
        {
            template = null;
            error = tooDeep;
            return false;
        }

        if (SimpleTemplate.TryParse(source) is { } simple)
        {
            // Fluid reads it only if a value needs Fluid to print it (see Render).
            template = new PromptTemplate(source, simple, null);
            error = null;
        }
        else if (FluidTemplate.TryParse(source, out var fluid, out error))
        {
            template = new PromptTemplate(source, null, fluid);
        }
        else
        {
            template = null;
            return false;
        }

        if (Cache.Count < 10_000) Cache.TryAdd(source, template);
        return true;
    }

    /// <summary>Parses a template or throws <see cref="FormatException"/> saying why.</summary>
    public static PromptTemplate Parse(string source) =>
        TryParse(source, out var template, out var error) ? template! : throw new FormatException($"invalid template: {error}");

    /// <summary>Renders over a step's input and the run state.</summary>
    /// <exception cref="AgentException">The template passed a bound (fatal, code <c>template</c>).</exception>
    public string Render(Payload input, IRunStateView? state) => Render(input, state, CancellationToken.None);

    /// <summary>Renders over a step's input and the run state, stopping when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="AgentException">The template passed a bound (fatal, code <c>template</c>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public string Render(Payload input, IRunStateView? state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var inputNode = ToNode(input);
        var stateObject = new JsonObject();
        if (state is not null)
        {
            foreach (var name in state.Names)
            {
                if (state.TryGet(name, out var value)) stateObject[name] = ToNode(value);
            }
        }

        var inputs = stateObject[InputsState]?.DeepClone() ?? new JsonObject();
        // Reading the state may take long enough for the step to be cancelled; Fluid's writer checks at each write.
        cancellationToken.ThrowIfCancellationRequested();
        if (_simple is not null && _simple.TryRender(inputNode, inputs, stateObject, out var text) && text.Length <= OutputLimit) return text;
        try
        {
            return ByFluid().Render(inputNode, inputs, stateObject, cancellationToken);
        }
        catch (TemplateLimitException ex)
        {
            throw Bound(ex.Message, ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("The maximum", StringComparison.Ordinal))
        {
            // Fluid reports its step bound with its recursion message, so which of the two fired cannot be told apart.
            throw Bound($"it ran more than {StepLimit} statements or nested deeper than {RecursionLimit}", ex);
        }
    }

    /// <summary>The template as Fluid reads it, parsed on first need for a simple template (it parses: it has Fluid's syntax).</summary>
    private FluidTemplate ByFluid()
    {
        if (_fluid is { } fluid) return fluid;
        if (!FluidTemplate.TryParse(Source, out fluid, out var error)) throw new InvalidOperationException($"Fluid refused a simple template: {error}");
        return _fluid = fluid!;
    }

    private AgentException Bound(string why, Exception inner) =>
        new(ErrorKind.Fatal, $"the template failed: {why} (template: {Excerpt(Source)})", inner) { Code = "template" };

    private static string Excerpt(string source) => source.Length <= 80 ? source : source[..77] + "...";

    private static JsonNode? ToNode(Payload payload) => payload.Kind switch
    {
        PayloadKind.Empty => null,
        PayloadKind.Text => JsonValue.Create(payload.AsText()),
        _ => JsonNode.Parse(payload.ToString()),
    };
}
