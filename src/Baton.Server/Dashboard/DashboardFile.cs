namespace Baton.Server.Dashboard;

/// <summary>One file of the dashboard: its bytes, content type and entity tag.</summary>
internal sealed record DashboardFile(string Name, string ContentType, byte[] Content, string ETag);
