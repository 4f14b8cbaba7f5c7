using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Signals;

public class SignalCooldownTests
{
    [Fact]
    public void FiresAtT_SuppressedUntilT4_FiresAgainAtT5()
    {
        var cooldown = new SignalCooldown();
        Assert.True(cooldown.TryFire("AUSDT", PresetType.TopHunter, Minute(10)));
        for (var m = 10; m <= 14; m++)
        {
            Assert.False(cooldown.TryFire("AUSDT", PresetType.TopHunter, Minute(m)));
        }
        Assert.True(cooldown.TryFire("AUSDT", PresetType.TopHunter, Minute(15)));
    }

    [Fact]
    public void IsPerSymbolAndType()
    {
        var cooldown = new SignalCooldown();
        Assert.True(cooldown.TryFire("AUSDT", PresetType.TopHunter, Minute(0)));
        Assert.True(cooldown.TryFire("AUSDT", PresetType.BottomHunter, Minute(1)));
        Assert.True(cooldown.TryFire("BUSDT", PresetType.TopHunter, Minute(1)));
    }

    [Fact]
    public void Seeded_WithTheLastFire_RebuildsTheCooldown()
    {
        var cooldown = new SignalCooldown(TimeSpan.FromMinutes(3));
        cooldown.Seed("AUSDT", PresetType.PioneerBull, Minute(100));
        cooldown.Seed("AUSDT", PresetType.PioneerBull, Minute(90));
        Assert.False(cooldown.TryFire("AUSDT", PresetType.PioneerBull, Minute(102)));
        Assert.True(cooldown.TryFire("AUSDT", PresetType.PioneerBull, Minute(103)));
        Assert.Equal(Minute(103), cooldown.For("AUSDT").LastFired(PresetType.PioneerBull));
    }

    [Fact]
    public void Fire_FiltersAMaskOfHeldPresets()
    {
        var slot = new SignalCooldown().For("AUSDT");
        var held = PresetMask.None.With(PresetType.PioneerBull).With(PresetType.TopHunter);
        Assert.Equal(held, slot.Fire(held, Minute(0)));
        Assert.True(slot.Fire(held, Minute(1)).IsEmpty);
        Assert.Equal(PresetMask.None.With(PresetType.BigBull60), slot.Fire(held.With(PresetType.BigBull60), Minute(2)));
    }

    [Fact]
    public void SignalIdentity_IsSymbolTypeAndOpenTime()
    {
        var a = new PresetSignal("AUSDT", PresetType.PioneerBear, 1772423400000, 1.5);
        var b = new PresetSignal("AUSDT", PresetType.PioneerBear, 1772423400000, 1.6);
        Assert.Equal(a.Key, b.Key);
        Assert.Equal("AUSDT:futures_pioneer_bear:1772423400000", a.Id);
    }
}
