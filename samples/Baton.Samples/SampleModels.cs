using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.Samples;

/// <summary>
/// The chat model the model samples use, chosen by one setting, the <c>BATON_MODEL</c> environment variable:
/// unset or <c>scripted</c> (the built-in scripted model, no network), <c>openai:MODEL</c> (OpenAI, key in
/// <c>OPENAI_API_KEY</c>) or <c>ollama:MODEL</c> (a local Ollama at http://localhost:11434).
/// </summary>
public static class SampleModels
{
    public static string Setting => Environment.GetEnvironmentVariable("BATON_MODEL") is { Length: > 0 } value ? value : "scripted";

    /// <summary>The model the setting names, or <paramref name="scripted"/> for the scripted one.</summary>
    public static IChatClient Create(Func<ScriptedChatClient> scripted)
    {
        var setting = Setting;
        if (setting == "scripted") return scripted();
        var (provider, model) = setting.Split(':', 2) is [var p, var m] ? (p, m) : throw new ArgumentException($"BATON_MODEL '{setting}' is not scripted, openai:MODEL or ollama:MODEL");
        return provider switch
        {
            "openai" => OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions { Model = model }),
            "ollama" => OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions { Model = model, Endpoint = new Uri("http://localhost:11434/v1") }),
            _ => throw new ArgumentException($"BATON_MODEL provider '{provider}' is not openai or ollama"),
        };
    }
}
