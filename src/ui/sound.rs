//! An optional sound for new red alerts: a short two-tone chime written as WAV and played with the
//! system's player (`paplay` or `aplay`) on a named thread, so the UI never waits for it.

/// Plays the chime once; failures (no player, no audio device) are logged and otherwise ignored.
pub fn play_alert() {
    let spawned = std::thread::Builder::new().name("jiancha-sound".into()).spawn(|| {
        let path = std::env::temp_dir().join("jiancha-red-alert.wav");
        if let Err(e) = std::fs::write(&path, chime_wav()) {
            tracing::warn!("alert sound: {e}");
            return;
        }
        for player in ["paplay", "aplay"] {
            match std::process::Command::new(player)
                .arg(&path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
            {
                Ok(status) if status.success() => return,
                Ok(_) | Err(_) => continue,
            }
        }
        tracing::warn!("alert sound: neither paplay nor aplay could play it");
    });
    if let Err(e) = spawned {
        tracing::warn!("alert sound: {e}");
    }
}

/// 16-bit mono PCM at 16 kHz: 880 Hz then 660 Hz, 0.18 s each, with a short fade.
pub fn chime_wav() -> Vec<u8> {
    const RATE: u32 = 16_000;
    let mut samples: Vec<i16> = Vec::new();
    for freq in [880.0f32, 660.0] {
        let n = (RATE as f32 * 0.18) as usize;
        for i in 0..n {
            let t = i as f32 / RATE as f32;
            let fade = (i.min(n - i) as f32 / 400.0).min(1.0);
            samples.push(((t * freq * std::f32::consts::TAU).sin() * 0.4 * fade * f32::from(i16::MAX)) as i16);
        }
    }
    let data_len = (samples.len() * 2) as u32;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_chime_is_a_valid_wav_header() {
        let wav = super::chime_wav();
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]) as usize, wav.len() - 8);
        assert_eq!(u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]) as usize, wav.len() - 44);
    }
}
