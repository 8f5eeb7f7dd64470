using Baton.AI;
using Baton.Yaml.Model;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Providers;

/// <summary><c>provider: openai</c>: any OpenAI-compatible endpoint (<c>model</c>, <c>endpoint</c>, <c>apiKey</c>, <c>headers</c>, <c>timeout</c>).</summary>
public sealed class OpenAiModelProvider : IModelProvider
{
    /// <inheritdoc/>
    public string Name => "openai";

    /// <inheritdoc/>
    public string Description => "openai (any OpenAI-compatible endpoint)";

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Keys { get; } = ["model", "endpoint", "apiKey", "headers", "timeout"];

    /// <inheritdoc/>
    public object? Read(ModelSettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings["model"] is not { } model)
        {
            settings.Error(settings.Node, $"model '{settings.Model}' needs 'model': the provider's model name");
            return null;
        }

        var modelName = settings.Text(model, "'model'");
        Uri? endpoint = null;
        if (settings["endpoint"] is { } e && settings.Secret(e, "'endpoint'") is { } endpointText)
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint)) settings.Error(e, "'endpoint' must be an absolute URL");
        }

        var apiKey = settings["apiKey"] is { } k ? settings.Secret(k, "'apiKey'") : null;
        Dictionary<string, string>? headers = null;
        if (settings["headers"] is { } h && settings.Mapping(h, "'headers'") is { } headerMap)
        {
            headers = [];
            foreach (var (headerName, headerValue) in headerMap.Children)
            {
                if (settings.Text(headerName, "a header's name") is { } hn && settings.Secret(headerValue, $"header '{hn}'") is { } hv) headers[hn] = hv;
            }
        }

        var timeout = settings["timeout"] is { } t ? settings.Duration(t, "'timeout'") : null;
        return modelName is null ? null : new OpenAiCompatibleOptions { Model = modelName, Endpoint = endpoint, ApiKey = apiKey, Headers = headers, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
    }

    /// <inheritdoc/>
    public IChatClient CreateClient(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return OpenAiCompatibleChatClient.Create(model.SettingsAs<OpenAiCompatibleOptions>() ?? throw new ArgumentException($"model '{model.Name}' was not read by the openai provider", nameof(model)));
    }
}
