using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Scalpaiboard.Gateway.Infrastructure;

/// <summary>
/// Accounts (ASP.NET Core Identity users, claims, logins, tokens; no roles) in the <c>gateway</c> schema.
/// The tables are created by the embedded SQL migration <c>0002_identity.sql</c>, applied by the shared
/// migration runner under its advisory lock, not by EF (see docs/gateway.md).
/// </summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : IdentityUserContext<IdentityUser>(options)
{
    public const string Schema = "gateway";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.HasDefaultSchema(Schema);
        base.OnModelCreating(builder);
    }
}
