using System.Text.Json.Nodes;
using Baton.AI;
using Baton.Yaml.Expressions;

namespace Baton.Yaml.Building;

/// <summary>What built steps render and evaluate with: templates over the step's input and the run state, and the scope expressions see.</summary>
internal static class Templating
{
    /// <summary>The run state variable holding the workflow's inputs.</summary>
    public const string InputsState = PromptTemplate.InputsState;

    /// <summary>Renders a template of the file (the shape <see cref="Providers.ModelAgentFactory"/> takes).</summary>
    public static string Render(string source, Payload input, IRunStateView state) => Render(source, input, state, CancellationToken.None);

    /// <summary>Renders a template of the file, stopping when the step is cancelled (its timeout included).</summary>
    public static string Render(string source, Payload input, IRunStateView state, CancellationToken cancellationToken) =>
        PromptTemplate.Parse(source).Render(input, state, cancellationToken);

    public static Payload RenderPayload(string source, Payload input, IRunStateView state, CancellationToken cancellationToken) =>
        Payload.FromText(Render(source, input, state, cancellationToken));

    /// <summary>A JSON value whose strings are rendered as templates.</summary>
    public static JsonNode? RenderData(JsonNode? data, Payload input, IRunStateView state, CancellationToken cancellationToken) => data switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, RenderData(p.Value, input, state, cancellationToken)))),
        JsonArray array => new JsonArray([.. array.Select(item => RenderData(item, input, state, cancellationToken))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(Render(text, input, state, cancellationToken)),
        _ => data?.DeepClone(),
    };

    /// <summary>What an expression sees: <c>input</c>, <c>output</c>, <c>confidence</c>, <c>state</c> and <c>inputs</c>.</summary>
    public static ExpressionScope Scope(Payload input, Payload output, double? confidence, IRunStateView? state) => new()
    {
        Input = input,
        Output = output,
        Confidence = confidence,
        State = state,
        Inputs = state is not null && state.TryGet(InputsState, out var inputs) ? inputs : null,
    };
}
