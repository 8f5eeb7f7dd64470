using System.Text.Json.Nodes;
using Baton.AI;
using Baton.Yaml.Expressions;

namespace Baton.Yaml.Building;

/// <summary>What built steps render and evaluate with: templates over the step's input and the run state, and the scope expressions see.</summary>
internal static class Templating
{
    /// <summary>The run state variable holding the workflow's inputs.</summary>
    public const string InputsState = PromptTemplate.InputsState;

    public static string Render(string source, Payload input, IRunStateView state) => PromptTemplate.Parse(source).Render(input, state);

    public static Payload RenderPayload(string source, Payload input, IRunStateView state) => Payload.FromText(Render(source, input, state));

    /// <summary>A JSON value whose strings are rendered as templates.</summary>
    public static JsonNode? RenderData(JsonNode? data, Payload input, IRunStateView state) => data switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, RenderData(p.Value, input, state)))),
        JsonArray array => new JsonArray([.. array.Select(item => RenderData(item, input, state))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(Render(text, input, state)),
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
