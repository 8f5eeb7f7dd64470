namespace Baton.AI;

/// <summary>A template passed one of the bounds of <see cref="PromptTemplate"/> while rendering.</summary>
internal sealed class TemplateLimitException(string message) : Exception(message);
