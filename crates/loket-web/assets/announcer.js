// Speaks the display board's calls, one after the other, never overlapping. Each call comes with
// its announcement from the server: the clip names in order (chime first) and the same words as
// a sentence. A browser with an Indonesian voice of its own says the sentence after the chime;
// any other plays the recorded clips served by Loket (/assets/voice/<clip>.opus), so a TV with
// no voice and no internet still speaks.
//
// window.loketAnnouncer exposes the queue: `queue` (waiting), `current` (being said) and `log`
// (every announcement taken, with when it started and ended), for the board's tests.
(function () {
  "use strict";
  var CLIP_TIMEOUT_MS = 5000;
  var cache = {};
  var state = { queue: [], current: null, log: [], busy: false };

  function clip(name) {
    if (!cache[name]) {
      var a = new Audio("/assets/voice/" + encodeURIComponent(name) + ".opus");
      a.preload = "auto";
      cache[name] = a;
    }
    return cache[name];
  }

  // Plays one clip to its end; a clip that cannot play (sound not allowed yet, a missing file)
  // is passed over, so the queue never stalls.
  function playClip(name) {
    return new Promise(function (resolve) {
      var audio = clip(name);
      var done = false;
      function finish() {
        if (done) return;
        done = true;
        audio.removeEventListener("ended", finish);
        audio.removeEventListener("error", finish);
        clearTimeout(timer);
        resolve();
      }
      var timer = setTimeout(finish, CLIP_TIMEOUT_MS);
      audio.addEventListener("ended", finish);
      audio.addEventListener("error", finish);
      try {
        audio.currentTime = 0;
        var p = audio.play();
        if (p && p.catch) p.catch(finish);
      } catch (e) {
        finish();
      }
    });
  }

  function indonesianVoice() {
    if (!window.speechSynthesis || !speechSynthesis.getVoices) return null;
    var voices = speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^id([-_]|$)/i.test(voices[i].lang)) return voices[i];
    }
    return null;
  }

  function speak(text, voice) {
    return new Promise(function (resolve) {
      var u = new SpeechSynthesisUtterance(text);
      u.voice = voice;
      u.lang = voice.lang;
      u.rate = 0.9;
      var timer = setTimeout(resolve, 15000);
      u.onend = u.onerror = function () { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
    });
  }

  function say(a) {
    var voice = indonesianVoice();
    if (voice) {
      a.via = "voice";
      return playClip(a.clips[0]).then(function () { return speak(a.text, voice); });
    }
    a.via = "clips";
    return a.clips.reduce(function (p, name) {
      return p.then(function () { return playClip(name); });
    }, Promise.resolve());
  }

  function next() {
    if (state.busy || state.queue.length === 0) return;
    state.busy = true;
    var a = state.queue.shift();
    state.current = a;
    a.started = Date.now();
    document.documentElement.setAttribute("data-announcing", a.number || "");
    say(a).then(function () {
      a.ended = Date.now();
      state.current = null;
      state.busy = false;
      document.documentElement.removeAttribute("data-announcing");
      next();
    });
  }

  // Queues one announcement ({clips, text}, with the call's number and counter).
  function announce(a) {
    var entry = { number: a.number, counter: a.counter, clips: a.clips.slice(), text: a.text, queued: Date.now() };
    state.log.push(entry);
    state.queue.push(entry);
    next();
  }

  // Loads the clips before the first call, so the first announcement does not wait on them.
  function preload(names) {
    names.forEach(clip);
  }

  window.loketAnnouncer = { announce: announce, preload: preload, state: state };
})();
