using Baton.AI;
using Baton.Yaml.Model;

namespace Baton.Yaml.Providers;

/// <summary>
/// A file's model replaced by another provider's without editing the file, written <c>NAME=PROVIDER:MODEL</c>:
/// <c>local=openai:gpt-4o-mini</c> (OpenAI, its key from <c>OPENAI_API_KEY</c>) or <c>local=ollama:llama3.1</c>
/// (the OpenAI-compatible endpoint of a local Ollama, <see cref="OllamaEndpoint"/>, no key).
/// </summary>
/// <param name="Name">The model's name in the file.</param>
/// <param name="Provider"><c>openai</c> or <c>ollama</c>.</param>
/// <param name="Model">The provider's model name.</param>
public sealed record ModelSwap(string Name, string Provider, string Model)
{
    /// <summary>Where <c>ollama:</c> models are served: Ollama's OpenAI-compatible endpoint on this machine.</summary>
    public static Uri OllamaEndpoint { get; } = new("http://localhost:11434/v1");

    /// <summary>The providers a swap may name.</summary>
    public static IReadOnlyList<string> Providers { get; } = ["openai", "ollama"];

    /// <summary>Reads <c>NAME=PROVIDER:MODEL</c>; false with the reason when it is not that.</summary>
    public static bool TryParse(string text, out ModelSwap? swap, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        (swap, error) = (null, null);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var colon = equals < 0 ? -1 : text.IndexOf(':', equals + 1);
        if (equals <= 0 || colon < 0 || colon == equals + 1 || colon == text.Length - 1)
        {
            error = $"'{text}' must be NAME=PROVIDER:MODEL, e.g. local=openai:gpt-4o-mini or local=ollama:llama3.1";
            return false;
        }

        var provider = text[(equals + 1)..colon].Trim();
        if (!Providers.Contains(provider, StringComparer.Ordinal))
        {
            error = $"unknown provider '{provider}' in '{text}'{(Suggestions.Closest(provider, Providers) is { } near ? $"; did you mean '{near}'?" : "")}: use {string.Join(" or ", Providers)}";
            return false;
        }

        swap = new ModelSwap(text[..equals].Trim(), provider, text[(colon + 1)..].Trim());
        return true;
    }

    /// <summary>The document with each swapped model replaced (by <paramref name="providers"/>' <c>openai</c> provider).</summary>
    /// <exception cref="ArgumentException">A swap names a model the file does not have (the message suggests the closest).</exception>
    public static WorkflowDocument Apply(WorkflowDocument document, IReadOnlyList<ModelSwap> swaps, ModelProviders providers)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(swaps);
        ArgumentNullException.ThrowIfNull(providers);
        if (swaps.Count == 0) return document;
        if (!providers.TryGet("openai", out var openai)) throw new ArgumentException("there is no 'openai' provider to swap models to");
        var models = new Dictionary<string, ModelDefinition>(document.Models, StringComparer.Ordinal);
        foreach (var swap in swaps)
        {
            if (!models.TryGetValue(swap.Name, out var original))
            {
                var known = document.Models.Keys.ToArray();
                var near = Suggestions.Closest(swap.Name, known) is { } n ? $"; did you mean '{n}'?" : "";
                throw new ArgumentException($"--model {swap.Name}: the file has no model '{swap.Name}'{near} ({(known.Length == 0 ? "it has no models" : $"it has {string.Join(", ", known)}")})");
            }

            var settings = new OpenAiCompatibleOptions { Model = swap.Model, Endpoint = swap.Provider == "ollama" ? OllamaEndpoint : null };
            models[swap.Name] = new ModelDefinition(swap.Name, openai, settings) { Resource = original.Resource };
        }

        return document with { Models = models };
    }

    /// <summary><c>NAME=PROVIDER:MODEL</c>.</summary>
    public override string ToString() => $"{Name}={Provider}:{Model}";
}
