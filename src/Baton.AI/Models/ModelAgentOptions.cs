using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>How a <see cref="ModelAgent"/> prompts its model, what it may call, and what it must answer.</summary>
public sealed record ModelAgentOptions
{
    /// <summary>The instructions (the system message): a Liquid template over <c>input</c>, <c>inputs</c> and <c>state</c>.</summary>
    public string? Instructions { get; init; }

    /// <summary>The tools the model may call: an allow-list, so it can never call a tool it was not given.</summary>
    public IReadOnlyList<AITool> Tools { get; init; } = [];

    /// <summary>Tools known only once a run is under way (an MCP server per run, <see cref="McpRunToolSource"/>), offered beside <see cref="Tools"/>.</summary>
    public IReadOnlyList<IToolSource> ToolSources { get; init; } = [];

    /// <summary>
    /// Checks of the input (before the model is called) and of the answer: a failing output check asks the model again
    /// with its message, sharing the <see cref="MaxRepairs"/> bound with schema problems, then fails the step (code <c>guardrail</c>).
    /// </summary>
    public AgentGuardrails? Guardrails { get; init; }

    /// <summary>The most model calls in one step (the tool-call loop's bound).</summary>
    public int MaxTurns { get; init; } = 8;

    /// <summary>The JSON schema the reply must satisfy; null for a text reply.</summary>
    public OutputSchema? Output { get; init; }

    /// <summary>How many times the model is asked again with the problems when its reply does not satisfy <see cref="Output"/>.</summary>
    public int MaxRepairs { get; init; } = 2;

    /// <summary>The structured reply's property that carries the result's confidence (a number in 0..1).</summary>
    public string ConfidenceProperty { get; init; } = "confidence";

    /// <summary>Settings passed to every call (temperature, model id...): tools and response format are set by the agent.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>The most tokens of conversation sent per call: the oldest tool turns are dropped to fit (never the instructions or the input).</summary>
    public int? ContextBudget { get; init; }

    /// <summary>Estimates a message's tokens for <see cref="ContextBudget"/>; about four characters a token by default.</summary>
    public Func<ChatMessage, int>? TokenEstimator { get; init; }

    /// <summary>Streams replies, reporting each text delta as a <c>token</c> event of the run.</summary>
    public bool Stream { get; init; }

    /// <summary>The model's price, for the cost in usage; none when null.</summary>
    public ModelPrice? Price { get; init; }

    /// <summary>Run state variables given to the model with the input (LangChain-style input variables).</summary>
    public IReadOnlyList<string> InputVariables { get; init; } = [];

    /// <summary>A run state variable the output is written to (LangChain-style output variable).</summary>
    public string? OutputVariable { get; init; }

    /// <summary>
    /// The resource (a name in the runtime's <see cref="ResourceRegistry"/>) every model call draws on: each call waits
    /// for its quotas, goes through its circuit breaker (a provider failure counts) and reports its tokens, so a step
    /// whose tool loop makes eight calls counts eight requests. Null for none. Set it here rather than as the step's
    /// <see cref="Step.Resource"/>, which counts one request per attempt; when both name the same resource the calls
    /// run under the attempt's permit, counted once.
    /// </summary>
    public string? Resource { get; init; }
}
