namespace Baton.AI;

/// <summary>
/// How to reach an OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI's v1 endpoint, Ollama, vLLM,
/// llama.cpp server, LM Studio. The API key is a secret: it is never logged, journaled or put in an error message.
/// </summary>
public sealed record OpenAiCompatibleOptions
{
    /// <summary>The model (deployment) name, e.g. <c>gpt-4o-mini</c> or <c>llama3.1</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The endpoint's base address, e.g. <c>http://localhost:11434/v1</c>; OpenAI's when null.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The API key; when null, read from <see cref="ApiKeyEnvironmentVariable"/>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The environment variable holding the key (default <c>OPENAI_API_KEY</c>); local servers that need no key work without it.</summary>
    public string ApiKeyEnvironmentVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>Extra HTTP headers sent with every request (e.g. Azure's <c>api-key</c>, a gateway's routing header).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>How long one request may take before it fails as a transient <c>timeout</c>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>The OpenAI organization, when the account has several.</summary>
    public string? Organization { get; init; }

    /// <summary>OpenAI's own endpoint, used when <see cref="Endpoint"/> is null.</summary>
    public static Uri OpenAiEndpoint { get; } = new("https://api.openai.com/v1");

    /// <summary>Where requests go, as messages name it: <see cref="Endpoint"/>, else OpenAI's; without user, password or query (they may hold secrets).</summary>
    public string EndpointName
    {
        get
        {
            var uri = Endpoint ?? OpenAiEndpoint;
            return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}".TrimEnd('/');
        }
    }

    /// <summary>True when the endpoint is OpenAI's own, which refuses every call without a key (local servers need none).</summary>
    public bool RequiresApiKey => Endpoint is null || Endpoint.Host.Equals(OpenAiEndpoint.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why no call can succeed for want of a key — the endpoint requires one and neither <see cref="ApiKey"/> nor the
    /// environment variable gives it — or null when there is a key or none is needed. Names the variable, never a value.
    /// </summary>
    public string? MissingApiKey()
    {
        if (!RequiresApiKey || ApiKey is { Length: > 0 } || Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) is { Length: > 0 }) return null;
        return $"the model '{Model}' at {EndpointName} needs an API key: set the environment variable {ApiKeyEnvironmentVariable}, or give the model an 'apiKey'";
    }

    /// <summary>What requests carry that must never be repeated: the key, the header values, and the endpoint's user info and query.</summary>
    internal IEnumerable<string> SecretValues()
    {
        if (ResolveApiKey() is { } key && key != "no-key") yield return key;
        foreach (var value in Headers?.Values ?? []) yield return value;
        if (Endpoint is { } endpoint)
        {
            if (endpoint.UserInfo.Length > 0) yield return Uri.UnescapeDataString(endpoint.UserInfo);
            if (endpoint.Query.Length > 1) yield return endpoint.Query.TrimStart('?');
        }
    }

    /// <summary>The key to send: <see cref="ApiKey"/>, else the environment variable, else a placeholder local servers ignore.</summary>
    internal string ResolveApiKey()
    {
        if (ApiKey is { Length: > 0 } key) return key;
        return Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "no-key";
    }

    /// <summary>Describes the options without the key.</summary>
    public override string ToString() =>
        $"OpenAiCompatibleOptions {{ Model = {Model}, Endpoint = {Endpoint?.ToString() ?? "(OpenAI)"}, ApiKey = {(ApiKey is null ? $"${ApiKeyEnvironmentVariable}" : "***")}, Headers = [{string.Join(", ", Headers?.Keys ?? [])}] }}";
}
