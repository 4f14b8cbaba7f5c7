using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

/// <summary>Settings of the Web UI (section <c>Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>
    /// The Gateway's address as the browser reaches it (REST, /ws, SSE). Empty: the value of
    /// <c>services__gateway__http__0</c>, else http://127.0.0.1:8080.
    /// </summary>
    [Url]
    public string? GatewayPublicUrl { get; set; }

    /// <summary>Symbols the screener asks the Gateway for at most.</summary>
    [Range(10, 1000)]
    public int ScreenerMaxSymbols { get; set; } = 1000;

    /// <summary>
    /// How often an open screener asks the Gateway again for the rows of its filter, so coins entering the screen
    /// appear and coins leaving it go without a reload (prices and changes update live in between).
    /// </summary>
    [Range(1, 3600)]
    public int ScreenerRefreshSeconds { get; set; } = 15;
}
