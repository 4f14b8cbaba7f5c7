namespace Scalpaiboard.AppHost.Hosting;

public static class WebPushExtensions
{
    /// <summary>The VAPID contact when the operator names none: push services accept it, though they cannot write to it.</summary>
    public const string DefaultSubject = "mailto:scalpaiboard@localhost";

    /// <summary>
    /// Browser push for a service (Alerts): the VAPID key pair generated on the first run and kept in the data folder's
    /// secrets (<see cref="DataFolder.VapidKeys"/>), the private half as a secret parameter, and the contact
    /// (<c>Notifications:WebPush:Subject</c>, else <see cref="DefaultSubject"/>). An operator who configures
    /// <c>Notifications:WebPush:PrivateKey</c> keeps their own pair: it reaches the service with the other settings.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithWebPushKeys(this IResourceBuilder<ProjectResource> service, DataFolder data)
    {
        var configuration = service.ApplicationBuilder.Configuration;
        if (configuration["Notifications:WebPush:PrivateKey"] is { Length: > 0 })
        {
            return service;
        }
        var (publicKey, privateKey) = data.VapidKeys();
        var privateParameter = service.ApplicationBuilder.AddParameter("web-push-private-key", () => privateKey, secret: true);
        return service
            .WithEnvironment("Notifications__WebPush__PublicKey", publicKey)
            .WithEnvironment("Notifications__WebPush__PrivateKey", privateParameter)
            .WithEnvironment("Notifications__WebPush__Subject", configuration["Notifications:WebPush:Subject"] ?? DefaultSubject);
    }
}
